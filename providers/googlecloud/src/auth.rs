//! Google's OAuth 2 for service accounts
//! (https://developers.google.com/identity/protocols/oauth2/service-account#httprest):
//! a JWT `{iss: client_email, scope, aud: token_uri, iat, exp}` signed RS256 with the
//! key file's private key, sent to `token_uri` as a `jwt-bearer` grant, answered with
//! an access token and its lifetime. The key file is a secret; its key is parsed once.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use serde_json::{Value, json};

/// What nsync uses of a service-account key file.
pub struct ServiceAccount {
    pub client_email: String,
    pub private_key_id: String,
    pub token_uri: String,
    key: RsaKeyPair,
}

impl std::fmt::Debug for ServiceAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ServiceAccount({}, key hidden)", self.client_email)
    }
}

/// Reads a key file's JSON. Errors say what is wrong, never a value from it.
pub fn parse_key_file(text: &str) -> Result<ServiceAccount, String> {
    let v: Value = serde_json::from_str(text)
        .map_err(|e| format!("the credentials are not a service-account key file (JSON: {e})"))?;
    let field = |k: &str| {
        v[k].as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("the service-account key file has no `{k}`"))
    };
    if v["type"].as_str() != Some("service_account") {
        return Err("the credentials are not a service-account key (`type` is not `service_account`); create a key for a service account in the Cloud console".into());
    }
    let pem = field("private_key")?;
    let der = pem_body(&pem).ok_or("the key file's `private_key` is not a PEM private key")?;
    let key = RsaKeyPair::from_pkcs8(&der)
        .map_err(|e| format!("the key file's `private_key` is not a usable RSA key ({e})"))?;
    Ok(ServiceAccount {
        client_email: field("client_email")?,
        private_key_id: field("private_key_id").unwrap_or_default(),
        token_uri: field("token_uri")
            .unwrap_or_else(|_| "https://oauth2.googleapis.com/token".into()),
        key,
    })
}

/// The DER inside `-----BEGIN PRIVATE KEY-----` ... `-----END PRIVATE KEY-----`.
fn pem_body(pem: &str) -> Option<Vec<u8>> {
    let start = pem.find("-----BEGIN PRIVATE KEY-----")? + "-----BEGIN PRIVATE KEY-----".len();
    let end = pem[start..].find("-----END PRIVATE KEY-----")? + start;
    let b64: String = pem[start..end]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    STANDARD.decode(b64).ok()
}

/// RS256 over `input`: the JWS signature of RFC 7515 §3 with RFC 7518 §3.3's algorithm.
pub fn rs256(key: &RsaKeyPair, input: &[u8]) -> Result<Vec<u8>, String> {
    let mut signature = vec![0; key.public().modulus_len()];
    key.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        input,
        &mut signature,
    )
    .map_err(|_| "signing the token request failed".to_string())?;
    Ok(signature)
}

impl ServiceAccount {
    /// The signed assertion for a token, issued at `now` (Unix seconds), valid an hour.
    pub fn assertion(&self, now: u64, scope: &str) -> Result<String, String> {
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": self.private_key_id});
        let claims = json!({
            "iss": self.client_email, "scope": scope, "aud": self.token_uri,
            "iat": now, "exp": now + 3600,
        });
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = rs256(&self.key, input.as_bytes())?;
        Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }

    /// The form body of the token request.
    pub fn token_request(&self, now: u64, scope: &str) -> Result<String, String> {
        Ok(format!(
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion={}",
            self.assertion(now, scope)?
        ))
    }

    /// The public key, for the fake's check of the signature.
    pub fn public_key(&self) -> &ring::rsa::PublicKey {
        self.key.public()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rsa::{KeyPairComponents, PublicKeyComponents};

    fn b64(s: &str) -> Vec<u8> {
        URL_SAFE_NO_PAD.decode(s).unwrap()
    }

    /// RFC 7515 Appendix A.2: its RSA key, the signing input of its RS256 example and
    /// the signature that must come out (PKCS#1 v1.5 is deterministic, so the vector is
    /// reproduced exactly). The values are the RFC's, joined from its lines.
    #[test]
    fn rs256_reproduces_rfc_7515_appendix_a2() {
        let n = b64(concat!(
            "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJ",
            "PMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0",
            "LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uD",
            "Zlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2",
            "PAcDTW9gb54h4FRWyuXpoQ"
        ));
        let d = b64(concat!(
            "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9S",
            "E-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVd",
            "xzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQ",
            "UShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjn",
            "czT0QU91p1DhOVRuOopznQ"
        ));
        let p = b64(concat!(
            "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQT",
            "a9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV",
            "5z-y2XDwGUc"
        ));
        let q = b64(concat!(
            "uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7",
            "C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rj",
            "cJIDEz9RWdc"
        ));
        let dp = b64(concat!(
            "BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3QCLdhrqE2e9YkxvuxdBfpT_P",
            "I7Yz-FOKnu1R6HsJeDCjn12Sk3vmAktV2zb34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1Xs",
            "mvkxHQAdYo0"
        ));
        let dq = b64(concat!(
            "h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa7I9xXDoRwbKgB719rrmI2oK",
            "r6N3Do9U0ajaHF-NKJnwgjMd2w9cjz3_-kyNlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTd",
            "lqvd0tIiTHU"
        ));
        let qi = b64(concat!(
            "IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2oy26F0EmpScGLq2MowX7fhd_",
            "QJQ3ydy5cY7YIBi87w93IKLEdfnbJtoOPLUW0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0J",
            "KSHuLFkuQ3U"
        ));
        let key = RsaKeyPair::from_components(&KeyPairComponents {
            public_key: PublicKeyComponents { n, e: b64("AQAB") },
            d,
            p,
            q,
            dP: dp,
            dQ: dq,
            qInv: qi,
        })
        .unwrap();
        let input = concat!(
            "eyJhbGciOiJSUzI1NiJ9",
            ".",
            "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290",
            "Ijp0cnVlfQ"
        );
        let expected = concat!(
            "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt",
            "_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArL",
            "IARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7no",
            "OPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQ",
            "Ge77Rw"
        );
        let signature = rs256(&key, input.as_bytes()).unwrap();
        assert_eq!(URL_SAFE_NO_PAD.encode(signature), expected);
    }

    #[test]
    fn the_assertion_carries_the_claims_google_documents_and_verifies() {
        let sa = parse_key_file(include_str!("../testdata/service-account.json")).unwrap();
        let jwt = sa.assertion(1_700_000_000, crate::SCOPE).unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: Value = serde_json::from_slice(&b64(parts[0])).unwrap();
        let claims: Value = serde_json::from_slice(&b64(parts[1])).unwrap();
        assert_eq!(header["alg"], "RS256");
        assert_eq!(header["typ"], "JWT");
        assert_eq!(
            claims["iss"],
            "nsync-test@nsync-test.iam.gserviceaccount.com"
        );
        assert_eq!(claims["aud"], "https://oauth2.googleapis.com/token");
        assert_eq!(claims["scope"], crate::SCOPE);
        assert_eq!(
            claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
            3600
        );
        let public = ring::signature::UnparsedPublicKey::new(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            sa.public_key().as_ref(),
        );
        let input = format!("{}.{}", parts[0], parts[1]);
        public.verify(input.as_bytes(), &b64(parts[2])).unwrap();
        assert!(public.verify(b"tampered", &b64(parts[2])).is_err());
        assert!(!format!("{sa:?}").contains("PRIVATE"));
    }

    #[test]
    fn a_file_that_is_not_a_service_account_key_is_named_so() {
        assert!(
            parse_key_file("not json")
                .unwrap_err()
                .contains("not a service-account key file")
        );
        assert!(
            parse_key_file(r#"{"type":"authorized_user"}"#)
                .unwrap_err()
                .contains("`type`")
        );
        let e = parse_key_file(r#"{"type":"service_account","private_key":"x"}"#).unwrap_err();
        assert!(e.contains("not a PEM private key"), "{e}");
    }
}
