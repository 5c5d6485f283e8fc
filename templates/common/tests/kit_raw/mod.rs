//! Sends the test kit's mock tenant a request the SDK would never send (an
//! unknown parameter, a malformed body), with a token from the kit's token
//! endpoint, so that the kit's tests can show what its validator says. Every
//! crate's `tests/test_kit.rs` uses it (it is under `templates/common/`); the
//! path is the one after the API prefix of the crate's server URL, which this
//! adds.

use serde_json::Value;

use sailpoint_v2025::test_kit::Kit;

/// Sends `method` to `path_and_query` (after the API prefix) with `body` as
/// JSON, and returns the status.
pub async fn raw(kit: &Kit, method: &str, path_and_query: &str, body: Option<Value>) -> u16 {
    let http = reqwest::Client::new();
    let token = http
        .post(format!("{}/oauth/token", kit.url()))
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let token: Value = serde_json::from_slice(&token).unwrap();
    let token = token["access_token"].as_str().unwrap().to_string();
    let mut req = http
        .request(
            method.parse().unwrap(),
            format!("{}/v2025{path_and_query}", kit.url()),
        )
        .bearer_auth(token);
    if let Some(body) = body {
        req = req
            .header("content-type", "application/json")
            .body(serde_json::to_vec(&body).unwrap());
    }
    req.send().await.unwrap().status().as_u16()
}
