//! Test-only: a small pet store written the way a Rust team writes a server
//! today, axum with utoipa describing it, so that its OpenAPI 3.1 document
//! is what utoipa writes, not what we would write. `cargo xtask e2e` turns
//! that document into an SDK crate and runs `e2e/client/roundtrip.rs`
//! against [`serve`] on loopback.
//!
//! What it covers: a nullable field (`Pet::tag`, `Option` in utoipa's
//! `type: [string, "null"]`), a string enum (`Status`), a tagged union
//! (`Shape`, serde's internally tagged enum, which utoipa writes as a
//! `oneOf` told apart by a one-value `kind`), a paged list (`limit` and
//! `offset`) and a documented error body.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// A pet.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Pet {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// A free-form tag; `null` when it has none.
    pub tag: Option<String>,
    /// Whether it can be adopted.
    pub status: Status,
    /// Its outline.
    pub shape: Shape,
}

/// What a client sends to create a pet.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewPet {
    /// Its name.
    pub name: String,
    /// A free-form tag.
    pub tag: Option<String>,
    /// Its outline.
    pub shape: Shape,
}

/// Whether a pet can be adopted.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// It can be adopted.
    Available,
    /// It has a home.
    Adopted,
}

/// A pet's outline: a tagged union.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Shape {
    /// Round.
    Circle {
        /// The radius.
        radius: f64,
    },
    /// Square.
    Square {
        /// The side's length.
        side: f64,
    },
}

/// An error.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// What went wrong.
    pub message: String,
}

/// A page of a list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Page {
    /// How many items at most.
    pub limit: Option<i64>,
    /// How many items to skip.
    pub offset: Option<i64>,
}

type Db = Arc<Mutex<Vec<Pet>>>;

fn pets(db: &Db) -> std::sync::MutexGuard<'_, Vec<Pet>> {
    db.lock().unwrap_or_else(|e| e.into_inner())
}

/// Lists the pets, a page at a time.
#[utoipa::path(get, path = "/pets", operation_id = "listPets", tag = "pets", params(Page),
    responses((status = 200, description = "A page of pets", body = [Pet])))]
async fn list_pets(State(db): State<Db>, Query(page): Query<Page>) -> Json<Vec<Pet>> {
    let offset = page.offset.unwrap_or(0).max(0) as usize;
    let limit = page.limit.unwrap_or(2).clamp(0, 2) as usize;
    Json(pets(&db).iter().skip(offset).take(limit).cloned().collect())
}

/// Creates a pet.
#[utoipa::path(post, path = "/pets", operation_id = "createPet", tag = "pets", request_body = NewPet,
    responses((status = 201, description = "The new pet", body = Pet)))]
async fn create_pet(State(db): State<Db>, Json(new): Json<NewPet>) -> (StatusCode, Json<Pet>) {
    let mut all = pets(&db);
    let pet = Pet {
        id: all.iter().map(|p| p.id).max().unwrap_or(0) + 1,
        name: new.name,
        tag: new.tag,
        status: Status::Available,
        shape: new.shape,
    };
    all.push(pet.clone());
    (StatusCode::CREATED, Json(pet))
}

/// Gets one pet.
#[utoipa::path(get, path = "/pets/{id}", operation_id = "getPet", tag = "pets",
    params(("id" = i64, Path, description = "The pet's id")),
    responses((status = 200, description = "The pet", body = Pet),
        (status = 404, description = "No such pet", body = Problem)))]
async fn get_pet(
    State(db): State<Db>,
    Path(id): Path<i64>,
) -> Result<Json<Pet>, (StatusCode, Json<Problem>)> {
    pets(&db)
        .iter()
        .find(|p| p.id == id)
        .cloned()
        .map(Json)
        .ok_or_else(|| not_found(id))
}

/// Deletes a pet.
#[utoipa::path(delete, path = "/pets/{id}", operation_id = "deletePet", tag = "pets",
    params(("id" = i64, Path, description = "The pet's id")),
    responses((status = 204, description = "Deleted"),
        (status = 404, description = "No such pet", body = Problem)))]
async fn delete_pet(
    State(db): State<Db>,
    Path(id): Path<i64>,
) -> Result<StatusCode, (StatusCode, Json<Problem>)> {
    let mut all = pets(&db);
    let before = all.len();
    all.retain(|p| p.id != id);
    if all.len() == before {
        return Err(not_found(id));
    }
    Ok(StatusCode::NO_CONTENT)
}

fn not_found(id: i64) -> (StatusCode, Json<Problem>) {
    (
        StatusCode::NOT_FOUND,
        Json(Problem {
            message: format!("no pet {id}"),
        }),
    )
}

/// The server's OpenAPI document, as utoipa writes it.
#[derive(OpenApi)]
#[openapi(
    info(title = "Pet Store", version = "1.0.0", description = "A pet store served by axum and described by utoipa."),
    servers((url = "http://localhost:8080")),
    paths(list_pets, create_pet, get_pet, delete_pet),
    components(schemas(Pet, NewPet, Status, Shape, Problem)),
    tags((name = "pets", description = "The pets."))
)]
pub struct ApiDoc;

/// The document as JSON.
pub fn spec_json() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// The pets the server starts with: five, so that a page of two needs three
/// requests; tags present and absent; both shapes.
pub fn seed() -> Vec<Pet> {
    (1..=5)
        .map(|id| Pet {
            id,
            name: format!("pet {id}"),
            tag: (id % 2 == 0).then(|| format!("tag {id}")),
            status: if id == 3 {
                Status::Adopted
            } else {
                Status::Available
            },
            shape: if id % 2 == 0 {
                Shape::Square { side: id as f64 }
            } else {
                Shape::Circle { radius: id as f64 }
            },
        })
        .collect()
}

/// The router, over `pets`.
pub fn app(pets: Vec<Pet>) -> Router {
    Router::new()
        .route("/pets", get(list_pets).post(create_pet))
        .route("/pets/{id}", get(get_pet).delete(delete_pet))
        .with_state(Arc::new(Mutex::new(pets)))
}

/// Serves [`app`] of [`seed`] on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, app(seed())).await
}
