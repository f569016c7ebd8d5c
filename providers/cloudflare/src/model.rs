//! The Cloudflare API v4 envelope, as far as nsync reads it
//! (https://developers.cloudflare.com/fundamentals/api/how-to/make-api-calls/): every
//! answer is `{success, errors, messages, result, result_info}`.

use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
pub struct Envelope {
    #[serde(default)]
    pub success: bool,
    #[serde(default)]
    pub errors: Vec<ApiError>,
    #[serde(default)]
    pub result: Value,
    #[serde(default)]
    pub result_info: Option<ResultInfo>,
}

#[derive(Deserialize)]
pub struct ApiError {
    #[serde(default)]
    pub code: i64,
    #[serde(default)]
    pub message: String,
}

#[derive(Deserialize)]
pub struct ResultInfo {
    #[serde(default)]
    pub page: u64,
    #[serde(default)]
    pub total_pages: u64,
}
