//! The end-to-end round trip (`cargo xtask e2e`): the SDK generated from the
//! axum + utoipa server's own OpenAPI 3.1 document calls that server on
//! loopback, for every operation, and decodes what it answers. The crate
//! `pets_sdk` is generated into `target/e2e/sdk` by the xtask before this
//! test is built; this file is its test, compiled in `target/e2e/client`.

use futures_util::TryStreamExt;
use pets_sdk::models::{NewPet, Pet, Shape, ShapeCircle, ShapeCircleKind, Status};
use pets_sdk::pets::{DeletePetError, GetPetError};
use pets_sdk::{Client, Error};

async fn start() -> Client {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(e2e_server::serve(listener));
    Client::builder()
        .base_url(format!("http://{addr}"))
        .bearer_token("e2e")
        .build()
        .expect("client")
}

#[tokio::test]
async fn every_operation_round_trips_through_the_generated_sdk() {
    let client = start().await;

    // A paged list: the server gives at most two a page, so five pets take
    // three pages and an empty fourth.
    let all: Vec<Pet> = client
        .pets()
        .list_pets()
        .limit(2)
        .stream()
        .try_collect()
        .await
        .expect("listPets pages");
    let ids: Vec<i64> = all.iter().map(|p| p.id).collect();
    assert_eq!(ids, [1, 2, 3, 4, 5]);
    let one = client.pets().list_pets().limit(2).offset(4).send().await.expect("one page");
    assert_eq!(one.body().len(), 1);

    // Nullable fields: `null` and a value.
    assert_eq!(all[0].tag, None);
    assert_eq!(all[1].tag.as_deref(), Some("tag 2"));
    // An enum.
    assert_eq!(all[2].status, Status::Adopted);
    assert_eq!(all[0].status, Status::Available);
    // A tagged union, decoded by its tag to the right variant.
    match &all[1].shape {
        Shape::ShapeSquare(s) => assert_eq!(s.side, 2.0),
        other => panic!("pet 2 is a square: {other:?}"),
    }
    match &all[0].shape {
        Shape::ShapeCircle(c) => assert_eq!(c.radius, 1.0),
        other => panic!("pet 1 is a circle: {other:?}"),
    }

    // One pet, and a documented error with its typed body.
    let got = client.pets().get_pet(4).send().await.expect("getPet");
    assert_eq!(got.status().as_u16(), 200);
    assert_eq!(got.body().name, "pet 4");
    match client.pets().get_pet(99).send().await {
        Err(Error::Api(e)) => match e.body() {
            GetPetError::NotFound(p) => assert_eq!(p.message, "no pet 99"),
            other => panic!("a 404 body: {other:?}"),
        },
        other => panic!("getPet 99 is a 404: {other:?}"),
    }

    // Create: a body with a null field and a union, sent and answered.
    let mut new = NewPet::new(
        "Rex",
        Shape::ShapeCircle(ShapeCircle::new(ShapeCircleKind::Circle, 1.5)),
    );
    new.tag = None;
    let created = client.pets().create_pet(new).send().await.expect("createPet");
    assert_eq!(created.status().as_u16(), 201);
    let rex = created.into_body();
    assert_eq!((rex.id, rex.name.as_str(), rex.tag.as_deref()), (6, "Rex", None));
    assert_eq!(rex.status, Status::Available);
    assert!(matches!(&rex.shape, Shape::ShapeCircle(c) if c.radius == 1.5));

    // Delete, then it is gone.
    let deleted = client.pets().delete_pet(6).send().await.expect("deletePet");
    assert_eq!(deleted.status().as_u16(), 204);
    match client.pets().delete_pet(6).send().await {
        Err(Error::Api(e)) => assert!(matches!(e.body(), DeletePetError::NotFound(_))),
        other => panic!("deleting twice is a 404: {other:?}"),
    }
}
