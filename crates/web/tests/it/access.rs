//! Who may do what: every route for every role and for nobody, logging in,
//! CSRF, API tokens.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::json;

use crate::{Client, get, send};

/// A message with a draft, so that routes with ids have something to show.
async fn one_message(state: &web::AppState) -> (i64, i64) {
    let mail = b"From: buyer@example.com\r\nSubject: Order 4711\r\nMessage-ID: <m1@example.com>\r\n\r\nPlease deliver 10 pcs ABC-1.\r\n";
    let received = app::intake::receive(&state.store, "upload", Some("order.eml"), mail)
        .await
        .unwrap();
    app::intake::drain(&state.store, &app::intake::Pipeline::new(&app::Config::default()))
        .await
        .unwrap();
    let draft = state.store.draft_of_message(received.id).await.unwrap().unwrap();
    (received.id, draft.id)
}

/// The roles in order of rising rights.
const ROLES: [&str; 4] = ["clerk", "sales_admin", "manager", "admin"];

#[tokio::test]
async fn every_route_for_every_role() {
    for t in tooling::testing::fresh_stores().await {
        let state = web::AppState::new(t.store.clone());
        let (message, draft) = one_message(&state).await;
        let mut clients = Vec::new();
        for role in ROLES {
            clients.push(Client::new(&state, &format!("u-{role}"), role).await);
        }
        // (path, the lowest role that may read it)
        let reads: Vec<(String, &str)> = vec![
            ("/".into(), "clerk"),
            ("/inbox".into(), "clerk"),
            ("/inbox?status=in_review&kind=order&q=4711".into(), "clerk"),
            ("/queue".into(), "clerk"),
            ("/queue?mine=true".into(), "clerk"),
            ("/orders".into(), "clerk"),
            ("/customers".into(), "clerk"),
            ("/products".into(), "clerk"),
            (format!("/messages/{message}"), "clerk"),
            (format!("/messages/{message}/raw"), "clerk"),
            (format!("/drafts/{draft}"), "clerk"),
            ("/api/me".into(), "clerk"),
            ("/api/messages".into(), "clerk"),
            (format!("/api/messages/{message}"), "clerk"),
            ("/api/queue".into(), "clerk"),
            (format!("/api/drafts/{draft}"), "clerk"),
            ("/api/orders".into(), "clerk"),
            (format!("/api/events?entity_type=draft&entity_id={draft}"), "clerk"),
            ("/api/customers".into(), "clerk"),
            ("/api/products".into(), "clerk"),
            ("/api/openapi.json".into(), "clerk"),
            ("/metrics".into(), "manager"),
            ("/settings".into(), "admin"),
            ("/api/users".into(), "admin"),
            ("/api/settings/drafting".into(), "admin"),
        ];
        for (path, lowest) in &reads {
            let allowed_from = ROLES.iter().position(|r| r == lowest).unwrap();
            for (i, client) in clients.iter().enumerate() {
                let (status, _, body) = client.get(path).await;
                if i >= allowed_from {
                    assert_eq!(
                        status,
                        StatusCode::OK,
                        "{:?} {} GET {path}: {body}",
                        t.backend,
                        ROLES[i]
                    );
                } else {
                    assert_eq!(status, StatusCode::FORBIDDEN, "{} GET {path}", ROLES[i]);
                    assert!(body.contains("may not") && body.contains("it is for: "), "{body}");
                    if !path.starts_with("/api/") {
                        // The page keeps the navigation and says where to go on.
                        assert!(body.contains("id=\"error-next\"") && body.contains("Log out"), "{body}");
                    }
                }
            }
            // Nobody: pages send to the login, the API answers 401.
            let (status, location, _) = get(&state, path).await;
            if path.starts_with("/api/") {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "anonymous GET {path}");
            } else {
                assert_eq!(status, StatusCode::SEE_OTHER, "anonymous GET {path}");
                assert!(location.starts_with("location:/login?next=%2F"), "{location}");
            }
        }
        // Changes only administrators may make.
        for (i, client) in clients.iter().enumerate() {
            let (status, _, _) = client
                .post_form(
                    "/settings/users",
                    &[
                        ("username", &format!("new-{i}")),
                        ("role", "clerk"),
                        ("password", "0123456789ab"),
                    ],
                )
                .await;
            let (api_status, _, _) = client
                .post_json(
                    "/api/users",
                    json!({"username": format!("api-{i}"), "role": "clerk", "password": "0123456789ab"}),
                )
                .await;
            let (token_status, _, _) = client
                .post_json("/api/tokens", json!({"name": "bridge", "username": "u-clerk"}))
                .await;
            if ROLES[i] == "admin" {
                assert_eq!(status, StatusCode::SEE_OTHER);
                assert_eq!(api_status, StatusCode::CREATED);
                assert_eq!(token_status, StatusCode::CREATED);
            } else {
                assert_eq!(
                    (status, api_status, token_status),
                    (StatusCode::FORBIDDEN, StatusCode::FORBIDDEN, StatusCode::FORBIDDEN),
                    "{}",
                    ROLES[i]
                );
            }
        }
        assert!(t.store.user("new-3").await.unwrap().is_some());
        assert!(t.store.user("new-0").await.unwrap().is_none());
        // Assigning someone else's work is for managers; taking it oneself is for everyone.
        let version = t.store.draft(draft).await.unwrap().unwrap().version;
        let (status, _, body) = clients[0]
            .post_form(
                &format!("/drafts/{draft}/assign"),
                &[("version", &version.to_string()), ("to", "u-admin")],
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, _, _) = clients[2]
            .post_form(
                &format!("/drafts/{draft}/assign"),
                &[("version", &version.to_string()), ("to", "u-clerk")],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let stored = t.store.draft(draft).await.unwrap().unwrap();
        assert_eq!(stored.assigned_to.as_deref(), Some("u-clerk"));
        // Anonymous changes are refused before anything happens.
        let request = Request::post(format!("/drafts/{draft}/confirm"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("version={}", stored.version)))
            .unwrap();
        assert_eq!(send(&state, request).await.0, StatusCode::UNAUTHORIZED);
        let request = Request::post("/api/messages").body(Body::from("x")).unwrap();
        assert_eq!(send(&state, request).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(
            t.store.draft(draft).await.unwrap().unwrap().status,
            domain::review::DraftStatus::Review
        );
    }
}

#[tokio::test]
async fn every_api_route_in_the_openapi_description_needs_a_login() {
    let t = tooling::testing::fresh_sqlite().await;
    let state = web::AppState::new(t.store.clone());
    let admin = Client::new(&state, "ada", "admin").await;
    let (status, _, spec) = admin.get("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let spec: serde_json::Value = serde_json::from_str(&spec).unwrap();
    let paths = spec["paths"].as_object().unwrap();
    for required in [
        "/api/messages",
        "/api/drafts/{id}",
        "/api/orders",
        "/api/customers",
        "/api/products",
        "/api/users",
        "/api/events",
    ] {
        assert!(
            paths.contains_key(required),
            "{required} missing from the OpenAPI description"
        );
    }
    let mut checked = 0;
    for (path, methods) in paths {
        let concrete = path
            .replace("{id}", "1")
            .replace("{action}", "confirm")
            .replace("{customer_no}", "C1")
            .replace("{sku}", "S1");
        for method in methods.as_object().unwrap().keys() {
            let request = Request::builder()
                .method(method.to_uppercase().as_str())
                .uri(&concrete)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .unwrap();
            let (status, _, body) = send(&state, request).await;
            if path == "/api/login" {
                assert_ne!(status, StatusCode::FORBIDDEN);
                continue;
            }
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}: {body}");
            assert!(body.contains("\"error\""), "{body}");
            checked += 1;
        }
    }
    assert!(checked >= 19, "{checked} routes checked");
    assert_eq!(get(&state, "/healthz").await.0, StatusCode::OK);
}

#[tokio::test]
async fn login_logout_and_throttling() {
    let t = tooling::testing::fresh_sqlite().await;
    let state = web::AppState::new(t.store.clone());
    app::users::add_user(
        &t.store,
        "anna",
        "Anna K",
        "clerk",
        "correct horse battery",
        &domain::event::Actor::System("t".into()),
    )
    .await
    .unwrap();
    // The login form comes with a token that is also in a cookie (login CSRF).
    let response = tower::ServiceExt::oneshot(
        web::router(state.clone()),
        Request::get("/login?next=/queue").body(Body::empty()).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let login_cookie = response.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
    let login_cookie = login_cookie.split(';').next().unwrap().to_owned();
    let page = String::from_utf8(response.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    assert!(page.contains("name=\"password\""));
    let token = page
        .split("name=\"login_token\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(login_cookie, format!("od_login={token}"));
    let form_with = |user: &str, password: &str, next: &str, token: &str, cookie: &str| {
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, cookie)
            .body(Body::from(
                serde_urlencoded::to_string([
                    ("username", user),
                    ("password", password),
                    ("next", next),
                    ("login_token", token),
                ])
                .unwrap(),
            ))
            .unwrap()
    };
    let form = |user: &str, password: &str| form_with(user, password, "/queue", &token, &login_cookie);

    // A login posted from another site has no matching token: refused before the password is checked.
    let (status, _, page) = send(
        &state,
        form_with("anna", "correct horse battery", "/queue", "forged", &login_cookie),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("login form has expired"), "{page}");
    let (status, _, _) = send(&state, form_with("anna", "correct horse battery", "/queue", &token, "")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // `next` leads only to this server: a tab that browsers drop, or a CRLF, sends the user home.
    for next in ["/\t/evil.example", "/queue\r\nX-Evil: 1", "/\\evil.example"] {
        let response = tower::ServiceExt::oneshot(
            web::router(state.clone()),
            form_with("anna", "correct horse battery", next, &token, &login_cookie),
        )
        .await
        .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(response.headers()[header::LOCATION], "/", "{next:?}");
    }

    // A huge body is refused unread; an overlong user name is simply wrong.
    let huge = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &login_cookie)
        .body(Body::from(format!("username={}&password=x", "a".repeat(1 << 20))))
        .unwrap();
    assert_eq!(send(&state, huge).await.0, StatusCode::PAYLOAD_TOO_LARGE);
    let long = "b".repeat(300);
    assert_eq!(send(&state, form(&long, "x")).await.0, StatusCode::UNAUTHORIZED);

    // Right password: a cookie and back to where the user wanted to go.
    let response = tower::ServiceExt::oneshot(web::router(state.clone()), form("anna", "correct horse battery"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[header::LOCATION], "/queue");
    let cookie = response.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let session = cookie.split(';').next().unwrap().to_owned();
    let me = Request::get("/api/me")
        .header(header::COOKIE, &session)
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = send(&state, me).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("\"role\":\"clerk\""), "{body}");

    // Logging out ends the session on the server, not only in the browser.
    let page = Request::get("/inbox")
        .header(header::COOKIE, &session)
        .body(Body::empty())
        .unwrap();
    let (_, _, inbox) = send(&state, page).await;
    let csrf = inbox
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let logout = Request::post("/logout")
        .header(header::COOKIE, &session)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("csrf={csrf}")))
        .unwrap();
    assert_eq!(send(&state, logout).await.0, StatusCode::SEE_OTHER);
    let me = Request::get("/api/me")
        .header(header::COOKIE, &session)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&state, me).await.0, StatusCode::UNAUTHORIZED);

    // Wrong passwords: 401 with a message that does not say which part was wrong, then a lock.
    let (status, _, page) = send(&state, form("anna", "wrong")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("Wrong user name or password"));
    // A German browser is told in German.
    let mut german = form("anna", "wrong");
    german
        .headers_mut()
        .insert(header::ACCEPT_LANGUAGE, "de-DE,de;q=0.9".parse().unwrap());
    let (status, _, page) = send(&state, german).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        page.contains("Benutzername oder Passwort falsch") && page.contains("<html lang=\"de\">"),
        "{page}"
    );
    let (status, _, _) = send(&state, form("nobody", "wrong")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    for _ in 0..4 {
        send(&state, form("anna", "wrong")).await;
    }
    let (status, _, page) = send(&state, form("anna", "correct horse battery")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{page}");
    assert!(page.contains("Too many failed logins"));

    // A script logs in through the API and gets the CSRF token it must send.
    app::users::add_user(
        &t.store,
        "bot",
        "",
        "clerk",
        "correct horse battery",
        &domain::event::Actor::System("t".into()),
    )
    .await
    .unwrap();
    let login = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"username": "bot", "password": "correct horse battery"}).to_string(),
        ))
        .unwrap();
    let (status, _, body) = send(&state, login).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("csrf_token"));
}

#[tokio::test]
async fn changes_need_the_sessions_csrf_token() {
    let t = tooling::testing::fresh_sqlite().await;
    let state = web::AppState::new(t.store.clone());
    let (_, draft) = one_message(&state).await;
    let clerk = Client::new(&state, "clara", "clerk").await;
    let uri = format!("/drafts/{draft}/take");
    let (status, _, page) = clerk.post_raw_form(&uri, &[("version", "1")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("CSRF"), "{page}");
    let (status, _, _) = clerk.post_raw_form(&uri, &[("csrf", "0000"), ("version", "1")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let other = Client::new(&state, "otto", "clerk").await;
    let (status, _, _) = clerk
        .post_raw_form(&uri, &[("csrf", &other.csrf), ("version", "1")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another session's token must not do");
    assert_eq!(t.store.draft(draft).await.unwrap().unwrap().assigned_to, None);
    let (status, location, _) = clerk.post_form(&uri, &[("version", "1")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, format!("location:/drafts/{draft}"));
    assert_eq!(
        t.store.draft(draft).await.unwrap().unwrap().assigned_to.as_deref(),
        Some("clara")
    );
}

#[tokio::test]
async fn api_tokens_act_as_their_user_without_csrf() {
    for t in tooling::testing::fresh_stores().await {
        let state = web::AppState::new(t.store.clone());
        let actor = domain::event::Actor::System("t".into());
        app::users::add_user(&t.store, "bridge", "", "clerk", "correct horse battery", &actor)
            .await
            .unwrap();
        let token = app::users::create_api_token(&t.store, "bridge", "erp-bridge", None, &actor)
            .await
            .unwrap();
        let upload = |token: &str| {
            Request::post("/api/messages?name=order.edi")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::from("ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261122*1200*U*00401*000000001*0*P*>~"))
                .unwrap()
        };
        let (status, _, body) = send(&state, upload(&token)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let id: serde_json::Value = serde_json::from_str(&body).unwrap();
        let stored = t.store.message(id["id"].as_i64().unwrap()).await.unwrap().unwrap();
        assert_eq!(stored.channel, "api:bridge");
        assert_eq!(send(&state, upload("od_wrong")).await.0, StatusCode::UNAUTHORIZED);
        // A clerk's token cannot do an administrator's work.
        let users = Request::get("/api/users")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&state, users).await.0, StatusCode::FORBIDDEN);
        assert!(t.store.api_tokens().await.unwrap()[0].last_used_at.is_some());
        // Disabling the user stops the token.
        t.store
            .update_user("bridge", None, Some(false), None, &actor, jiff::Timestamp::now())
            .await
            .unwrap();
        assert_eq!(send(&state, upload(&token)).await.0, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn files_uploaded_in_the_browser_are_received_raw() {
    let t = tooling::testing::fresh_sqlite().await;
    let state = web::AppState::new(t.store.clone());
    let clerk = Client::new(&state, "clara", "clerk").await;
    let boundary = "XyZ123boundary";
    let file = "UNA:+.? 'UNB+UNOC:3+SENDER+RECEIVER+261122:1200+1'UNZ+0+1'";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"order.edi\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n{file}\r\n--{boundary}--\r\n"
    );
    let upload = |csrf: &str| {
        Request::post(format!("/messages/upload?csrf={csrf}"))
            .header(header::COOKIE, &clerk.cookie)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body.clone()))
            .unwrap()
    };
    // Without the session's token nothing is stored.
    assert_eq!(send(&state, upload("forged")).await.0, StatusCode::FORBIDDEN);
    assert!(t.store.messages(None, 10).await.unwrap().is_empty());
    let (status, location, body) = send(&state, upload(&clerk.csrf)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let stored = t.store.messages(None, 10).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(location, format!("location:/messages/{}", stored[0].id));
    assert_eq!(stored[0].channel, "upload:clara");
    assert_eq!(stored[0].source_name.as_deref(), Some("order.edi"));
    assert_eq!(t.store.blobs().get(&stored[0].sha256).unwrap(), file.as_bytes());
    // The original comes back byte for byte.
    let (status, _, raw) = clerk.get(&format!("/messages/{}/raw", stored[0].id)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(raw, file);
}

#[tokio::test]
async fn only_administrators_change_the_drafting_settings() {
    let t = tooling::testing::fresh_sqlite().await;
    let state = web::AppState::new(t.store.clone());
    let admin = Client::new(&state, "ada", "admin").await;
    let manager = Client::new(&state, "mia", "manager").await;
    let form = [
        ("confidence_threshold", "0.95"),
        ("severity_duplicate_po", "blocking"),
        ("review_customers", "10042"),
    ];
    let (status, _, _) = manager.post_form("/settings/drafting", &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(t.store.setting("extraction").await.unwrap(), None);
    let (status, _, body) = admin
        .post_form("/settings/drafting", &[("confidence_threshold", "1.5")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, location, _) = admin.post_form("/settings/drafting", &form).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "location:/settings")
    );
    let saved = app::settings::extraction(&t.store, &app::Config::default().extraction)
        .await
        .unwrap();
    assert_eq!(saved.confidence_threshold, 0.95);
    assert_eq!(
        saved.severities.get("duplicate_po").map(String::as_str),
        Some("blocking")
    );
    assert_eq!(saved.review_customers, ["10042"]);
    let (_, _, page) = admin.get("/settings").await;
    assert!(page.contains("name=\"confidence_threshold\" value=\"0.95\""), "{page}");
}

#[tokio::test]
async fn administrators_manage_users_and_settings_through_the_api() {
    let t = tooling::testing::fresh_sqlite().await;
    let state = web::AppState::new(t.store.clone());
    let admin = Client::new(&state, "ada", "admin").await;
    let clerk = Client::new(&state, "clara", "clerk").await;
    let (status, _, body) = admin.post_json("/api/users/clara", json!({"role": "manager"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("\"role\":\"manager\""));
    let (status, _, _) = admin.post_json("/api/users/ada", json!({"active": false})).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an administrator cannot lock themselves out"
    );
    let (status, _, _) = admin.post_json("/api/users/nobody", json!({"active": false})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A new password ends the user's sessions.
    let (status, _, _) = admin
        .post_json("/api/users/clara", json!({"password": "another horse battery"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(clerk.get("/api/me").await.0, StatusCode::UNAUTHORIZED);

    let (status, _, body) = admin.get("/api/settings/drafting").await;
    assert_eq!(status, StatusCode::OK);
    let mut settings: serde_json::Value = serde_json::from_str(&body).unwrap();
    settings["severities"]["duplicate_po"] = json!("blocking");
    let (status, _, body) = admin.post_json("/api/settings/drafting", settings.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    settings["confidence_threshold"] = json!(7);
    assert_eq!(
        admin.post_json("/api/settings/drafting", settings).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let saved = app::settings::extraction(&t.store, &app::Config::default().extraction)
        .await
        .unwrap();
    assert_eq!(
        saved.severities.get("duplicate_po").map(String::as_str),
        Some("blocking")
    );
    // Both changes are on the settings page's history.
    let (_, _, page) = admin.get("/settings").await;
    assert!(page.contains("severities.duplicate_po: blocking"), "{page}");
    assert!(page.contains("role: clerk → manager"), "{page}");
}

#[tokio::test]
async fn administrators_add_and_remove_mailboxes_in_the_settings() {
    let t = tooling::testing::fresh_sqlite().await;
    let state = web::AppState::new(t.store.clone());
    let admin = Client::new(&state, "ada", "admin").await;
    let manager = Client::new(&state, "mia", "manager").await;
    let form = [
        ("name", "orders"),
        ("host", "imap.example.com"),
        ("tls", "on"),
        ("username", "orders@example.com"),
        ("password", "s3cret-pass"),
        ("move_to", "Orderdesk"),
    ];
    assert_eq!(
        manager.post_form("/settings/mailboxes", &form).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, _, body) = admin
        .post_form("/settings/mailboxes", &[("name", "x"), ("host", ""), ("username", "u")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        admin.post_form("/settings/mailboxes", &form).await.0,
        StatusCode::SEE_OTHER
    );
    let (_, _, page) = admin.get("/settings").await;
    assert!(
        page.contains("orders@example.com@imap.example.com:993 (TLS), folder INBOX, moved to Orderdesk"),
        "{page}"
    );
    assert!(!page.contains("s3cret-pass"), "the password is never shown");
    assert_eq!(
        admin.post_form("/settings/mailboxes/orders/remove", &[]).await.0,
        StatusCode::SEE_OTHER
    );
    assert!(app::settings::stored_mailboxes(&t.store).await.unwrap().is_empty());
}

#[tokio::test]
async fn api_tokens_expire_are_revoked_and_end_with_the_password() {
    let t = tooling::testing::fresh_sqlite().await;
    let state = web::AppState::new(t.store.clone());
    let admin = Client::new(&state, "root", "admin").await;
    let actor = domain::event::Actor::System("t".into());
    app::users::add_user(&t.store, "bridge", "", "clerk", "correct horse battery", &actor)
        .await
        .unwrap();
    let bearer = |token: &str| {
        Request::get("/api/me")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };

    // Created through the API with a validity; listed without its secret.
    let (status, _, body) = admin
        .post_json(
            "/api/tokens",
            json!({"name": "erp-bridge", "username": "bridge", "days": 30}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let token: String = serde_json::from_str::<serde_json::Value>(&body).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(send(&state, bearer(&token)).await.0, StatusCode::OK);
    let (_, _, list) = admin.get("/api/tokens").await;
    assert!(!list.contains(&token));
    let listed: serde_json::Value = serde_json::from_str(&list).unwrap();
    let id = listed[0]["id"].as_i64().unwrap();
    assert!(listed[0]["expires_at"].is_string(), "{list}");
    let (status, _, _) = admin
        .post_json("/api/tokens", json!({"name": "x", "username": "bridge", "days": 0}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Revoked: refused at once, and revoking again is a 404.
    let revoke = |id: i64| {
        Request::delete(format!("/api/tokens/{id}"))
            .header(header::COOKIE, &admin.cookie)
            .header("x-csrf-token", &admin.csrf)
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(send(&state, revoke(id)).await.0, StatusCode::NO_CONTENT);
    assert_eq!(send(&state, bearer(&token)).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(send(&state, revoke(id)).await.0, StatusCode::NOT_FOUND);

    // An expired token acts no more.
    let expired = "od_expired-token-for-test";
    t.store
        .insert_api_token(
            "old",
            "bridge",
            &app::users::token_hash(expired),
            Some(jiff::Timestamp::now() - jiff::SignedDuration::from_secs(1)),
            &actor,
            jiff::Timestamp::now(),
        )
        .await
        .unwrap();
    assert_eq!(send(&state, bearer(expired)).await.0, StatusCode::UNAUTHORIZED);

    // A password change ends the user's tokens; disabling and enabling again does not bring them back.
    let second = app::users::create_api_token(&t.store, "bridge", "second", None, &actor)
        .await
        .unwrap();
    assert_eq!(send(&state, bearer(&second)).await.0, StatusCode::OK);
    let (status, _, body) = admin.post_json("/api/users/bridge", json!({"active": false})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    admin.post_json("/api/users/bridge", json!({"active": true})).await;
    assert_eq!(send(&state, bearer(&second)).await.0, StatusCode::UNAUTHORIZED);
    let third = app::users::create_api_token(&t.store, "bridge", "third", None, &actor)
        .await
        .unwrap();
    admin
        .post_json("/api/users/bridge", json!({"password": "another horse battery"}))
        .await;
    assert_eq!(send(&state, bearer(&third)).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn numeric_settings_out_of_range_are_refused() {
    let t = tooling::testing::fresh_sqlite().await;
    let state = web::AppState::new(t.store.clone());
    let admin = Client::new(&state, "root", "admin").await;
    for (field, value) in [
        ("review_sla_minutes", json!(4611686018427387904u64)),
        ("quote_sla_minutes", json!(0)),
        ("catalog_refresh_seconds", json!(0)),
        ("confidence_threshold", json!(7)),
    ] {
        let (status, _, body) = admin.post_json("/api/settings/drafting", json!({ field: value })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
        assert!(body.contains(field), "{body}");
    }
    let in_force = app::settings::extraction(&t.store, &app::config::ExtractionSettings::default())
        .await
        .unwrap();
    assert_eq!(in_force.review_sla_minutes, 240);
}

#[tokio::test]
async fn attachment_names_never_break_a_download() {
    let t = tooling::testing::fresh_sqlite().await;
    let state = web::AppState::new(t.store.clone());
    let clerk = Client::new(&state, "clara", "clerk").await;
    let r = app::intake::receive(
        &t.store,
        "upload",
        Some("Bestellung\u{1}\r\nX: y \"ä\".pdf"),
        b"%PDF-1.4",
    )
    .await
    .unwrap();
    let request = Request::get(format!("/messages/{}/raw", r.id))
        .header(header::COOKIE, &clerk.cookie)
        .body(Body::empty())
        .unwrap();
    let response = tower::ServiceExt::oneshot(web::router(state.clone()), request)
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let disposition = response.headers()[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"Bestellung"),
        "{disposition}"
    );
    assert!(disposition.contains("filename*=UTF-8''Bestellung"), "{disposition}");
    assert!(!disposition.contains('\n'));
}
