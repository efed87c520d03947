//! Administration pages: only center and system administrators; accounts with roles per unit
//! (a center administrator grants roles only in their own units); the units; the working
//! calendar and its yearly announcements.

mod common;

use axum::http::StatusCode;
use common::{App, Browser, Page, setup};

/// Signs `user` in with a fresh browser.
async fn browser<'a>(app: &'a App, user: &str) -> Browser<'a> {
    let mut b = Browser::new(app);
    b.sign_in(user).await;
    b
}

/// Signs in with a password through the form; the response status.
async fn sign_in_with(app: &App, user: &str, password: &str) -> StatusCode {
    let mut b = Browser::new(app);
    let form = b.get("/dang-nhap").await;
    let p = b.post_form("/dang-nhap", &[("csrf", &form.csrf()), ("username", user), ("password", password)]).await;
    p.status
}

/// Posts the account form (create or update) with role lines.
async fn save_account(b: &mut Browser<'_>, mode: &str, fields: &[(&str, &str)], roles: &[(&str, &str)]) -> Page {
    let page = b.get("/quan-tri/nguoi-dung").await;
    let csrf = page.csrf();
    let mut all: Vec<(&str, &str)> = vec![("csrf", &csrf), ("mode", mode)];
    all.extend_from_slice(fields);
    for (unit, role) in roles {
        all.push(("unit", unit));
        all.push(("role", role));
    }
    // A blank line, as the form always sends.
    all.push(("unit", ""));
    all.push(("role", ""));
    b.post_form("/quan-tri/nguoi-dung", &all).await
}

#[tokio::test]
async fn officers_without_an_administrator_role_get_403_and_visitors_are_sent_to_sign_in() {
    let app = setup().await;
    let mut b = browser(&app, "chuyenvien").await;
    for page in ["/quan-tri", "/quan-tri/nguoi-dung", "/quan-tri/don-vi", "/quan-tri/lich"] {
        assert_eq!(b.get(page).await.status, StatusCode::FORBIDDEN, "{page}");
    }
    let csrf = b.get("/can-bo").await.csrf();
    let p = b
        .post_form(
            "/quan-tri/nguoi-dung",
            &[
                ("csrf", &csrf),
                ("mode", "create"),
                ("username", "ke.gian"),
                ("full_name", "X"),
                ("password", "0123456789"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = b.post_form("/quan-tri/lich", &[("csrf", &csrf), ("toml", "year = 2027")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(!b.get("/").await.html.contains("href=\"/quan-tri\""), "no administration link");

    let p = Browser::new(&app).get("/quan-tri/nguoi-dung").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(p.location.unwrap().starts_with("/dang-nhap"));
    let mut admin = browser(&app, "giamdoc").await;
    let p = admin.get("/quan-tri").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        p.html.contains("/quan-tri/nguoi-dung")
            && p.html.contains("/quan-tri/don-vi")
            && p.html.contains("/quan-tri/lich")
    );
}

#[tokio::test]
async fn an_administrator_creates_an_account_that_can_then_sign_in() {
    let app = setup().await;
    let mut admin = browser(&app, "giamdoc").await;
    let p = admin.get("/quan-tri/nguoi-dung").await;
    assert!(p.html.contains("tiepnhan") && p.html.contains("giamdoc"), "accounts of the center");
    assert!(!p.html.contains("chuyenvien"), "accounts of other units are not the center's to manage");
    assert!(p.html.contains("<label for=\"unit-1\">") && p.html.contains("<label for=\"role-1\">"));
    assert!(!p.html.contains("value=\"system_admin\""), "a center administrator cannot make system administrators");

    let account = [
        ("username", "tiepnhan.moi"),
        ("full_name", "Phạm Thị Dung"),
        ("password", "mat-khau-moi-2026"),
        ("active", "1"),
    ];
    let p = save_account(&mut admin, "create", &account, &[("C1", "receiver"), ("C1", "clerk")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    assert_eq!(p.location.as_deref(), Some("/quan-tri/nguoi-dung?xong=tiepnhan.moi"));
    let list = admin.get("/quan-tri/nguoi-dung?xong=tiepnhan.moi").await;
    assert!(list.html.contains("Đã lưu tài khoản") && list.html.contains("Phạm Thị Dung"));
    assert!(list.html.contains("Trung tâm Phục vụ hành chính công tỉnh (C1): Tiếp nhận, trả kết quả"));

    assert_eq!(sign_in_with(&app, "tiepnhan.moi", "mat-khau-moi-2026").await, StatusCode::SEE_OTHER);
    assert_eq!(sign_in_with(&app, "tiepnhan.moi", "demo").await, StatusCode::UNAUTHORIZED);
    let token = app
        .call(
            "POST",
            "/api/v1/auth/login",
            None,
            None,
            Some(serde_json::json!({"username": "tiepnhan.moi", "password": "mat-khau-moi-2026"})),
        )
        .await;
    // The password an administrator set is temporary: no API token until its owner changes it.
    assert_eq!((token.status, token.body["code"].as_str()), (StatusCode::FORBIDDEN, Some("password_change_required")));
    let change = |new: &str| {
        Some(serde_json::json!({"username": "tiepnhan.moi", "password": "mat-khau-moi-2026", "new_password": new}))
    };
    let r = app.call("POST", "/api/v1/auth/password", None, None, change("ngan")).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("weak_password")));
    let wrong = serde_json::json!({"username": "tiepnhan.moi", "password": "sai", "new_password": "cua-toi-2026-12"});
    let r = app.call("POST", "/api/v1/auth/password", None, None, Some(wrong)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app.call("POST", "/api/v1/auth/password", None, None, change("cua-toi-2026-12")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    let login = serde_json::json!({"username": "tiepnhan.moi", "password": "cua-toi-2026-12"});
    let token = app.call("POST", "/api/v1/auth/login", None, None, Some(login)).await;
    assert_eq!(token.status, StatusCode::OK, "{:?}", token.body);
    let bearer = token.body["token"].as_str().unwrap().to_owned();
    assert_eq!(app.call("GET", "/api/v1/me", Some(&bearer), None, None).await.status, StatusCode::OK);

    // An administrator's reset signs out whoever held the old password.
    let reset = [
        ("username", "tiepnhan.moi"),
        ("full_name", "Phạm Thị Dung"),
        ("password", "tam-thoi-2026-12"),
        ("active", "1"),
    ];
    let p = save_account(&mut admin, "update", &reset, &[("C1", "receiver")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    assert_eq!(app.call("GET", "/api/v1/me", Some(&bearer), None, None).await.status, StatusCode::UNAUTHORIZED);

    // Refusals are shown with the form kept (422).
    let p = save_account(&mut admin, "create", &account, &[("C1", "receiver")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("Tên đăng nhập này đã có"));
    let short = [("username", "ngan"), ("full_name", "Ngắn"), ("password", "123456789")];
    let p = save_account(&mut admin, "create", &short, &[]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("ít nhất 10 ký tự") && p.html.contains("value=\"Ngắn\""));
    let bad = [("username", "Tên Sai"), ("full_name", "X"), ("password", "0123456789")];
    assert_eq!(save_account(&mut admin, "create", &bad, &[]).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let half = [("username", "nua.dong"), ("full_name", "X"), ("password", "0123456789")];
    assert_eq!(save_account(&mut admin, "create", &half, &[("C1", "")]).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(sign_in_with(&app, "ngan", "123456789").await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_center_administrator_cannot_grant_roles_in_another_unit_nor_edit_its_accounts() {
    let app = setup().await;
    let mut admin = browser(&app, "giamdoc").await;
    let account = [
        ("username", "chuyenvien.moi"),
        ("full_name", "Đỗ Văn Em"),
        ("password", "mat-khau-moi-2026"),
        ("active", "1"),
    ];
    let p = save_account(&mut admin, "create", &account, &[("C1", "receiver"), ("A1", "specialist")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(p.html.contains("đơn vị mình quản trị"));
    assert_eq!(
        sign_in_with(&app, "chuyenvien.moi", "mat-khau-moi-2026").await,
        StatusCode::UNAUTHORIZED,
        "not created"
    );
    let p = save_account(&mut admin, "create", &account, &[("C1", "system_admin")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);

    // chuyenvien works in A1 only: not the center's account.
    assert_eq!(admin.get("/quan-tri/nguoi-dung?sua=chuyenvien").await.status, StatusCode::NOT_FOUND);
    let takeover =
        [("username", "chuyenvien"), ("full_name", "X"), ("password", "mat-khau-chiem-quyen"), ("active", "1")];
    let p = save_account(&mut admin, "update", &takeover, &[("C1", "receiver")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(sign_in_with(&app, "chuyenvien", "demo").await, StatusCode::SEE_OTHER, "unchanged");
}

#[tokio::test]
async fn updating_an_account_keeps_the_password_when_left_empty_and_can_disable_it() {
    let app = setup().await;
    let mut admin = browser(&app, "giamdoc").await;
    let p = admin.get("/quan-tri/nguoi-dung?sua=tiepnhan").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        p.html.contains("name=\"mode\" value=\"update\"") && p.html.contains("<option value=\"receiver\" selected>")
    );

    let fields = [("username", "tiepnhan"), ("full_name", "Võ Thị Giang"), ("password", ""), ("active", "1")];
    let p = save_account(&mut admin, "update", &fields, &[("C1", "receiver")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    assert_eq!(sign_in_with(&app, "tiepnhan", "demo").await, StatusCode::SEE_OTHER, "password kept");
    assert!(admin.get("/quan-tri/nguoi-dung").await.html.contains("Võ Thị Giang"));

    let disabled = [("username", "tiepnhan"), ("full_name", "Võ Thị Giang"), ("password", "")];
    let p = save_account(&mut admin, "update", &disabled, &[("C1", "receiver")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(sign_in_with(&app, "tiepnhan", "demo").await, StatusCode::UNAUTHORIZED, "disabled");
    let me = [("username", "giamdoc"), ("full_name", "giamdoc"), ("password", "")];
    let p = save_account(&mut admin, "update", &me, &[("C1", "center_admin")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "an administrator cannot lock themselves out");
}

#[tokio::test]
async fn the_units_page_lists_codes_kinds_levels_and_parents() {
    let app = setup().await;
    let mut admin = browser(&app, "giamdoc").await;
    let p = admin.get("/quan-tri/don-vi").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.html.contains(
        "<td>A1</td><td><a href=\"/quan-tri/don-vi/A1\">Sở Nông nghiệp và Môi trường</a></td><td>Cơ quan chuyên môn</td><td>Tỉnh</td><td>91</td>"
    ));
    assert!(p.html.contains("Đặc khu") && p.html.contains("Phường") && p.html.contains("class=\"table-wrap\""));
}

#[tokio::test]
async fn an_invalid_announcement_gets_422_and_a_valid_2027_one_shows_in_the_holidays_page() {
    let app = setup().await;
    let mut admin = browser(&app, "giamdoc").await;
    let p = admin.get("/quan-tri/lich?year=2026").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.html.contains("Tết Nguyên đán (mùng 1)") && p.html.contains("17/02/2026"), "the shipped announcement");
    assert!(p.html.contains("<label for=\"toml\">"));
    assert_eq!(admin.get("/quan-tri/lich?year=abc").await.status, StatusCode::BAD_REQUEST);

    let csrf = p.csrf();
    let invalid = "year = 2027\nsource = \"TB thử\"\n\n[[working_days]]\ndate = 2027-01-05\nname = \"Làm bù\"\n";
    let p = admin.post_form("/quan-tri/lich", &[("csrf", &csrf), ("toml", invalid)]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("role=\"alert\"") && p.html.contains("days_off"), "the problems are listed");
    assert!(p.html.contains("TB thử"), "the text is kept");
    let p = admin.post_form("/quan-tri/lich", &[("csrf", &csrf), ("toml", "không phải TOML")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    let p = admin.post_form("/quan-tri/lich", &[("csrf", "forged"), ("toml", invalid)]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);

    let valid = "year = 2027\nsource = \"Thông báo thử nghiệm 01/TB-2027\"\n\n\
                 [[days_off]]\ndate = 2027-01-01\nname = \"Tết Dương lịch\"\n\n\
                 [[days_off]]\ndate = 2027-01-04\nname = \"Nghỉ bù thử nghiệm\"\n\n\
                 [[working_days]]\ndate = 2027-01-09\nname = \"Làm bù thứ Bảy thử nghiệm\"\n";
    let p = admin.post_form("/quan-tri/lich", &[("csrf", &csrf), ("toml", valid)]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    assert_eq!(p.location.as_deref(), Some("/quan-tri/lich?year=2027"));
    let p = admin.get("/quan-tri/lich?year=2027").await;
    assert!(p.html.contains("Thông báo thử nghiệm 01/TB-2027"));
    assert!(p.html.contains("04/01/2027") && p.html.contains("Nghỉ bù thử nghiệm"));
    assert!(
        p.html.contains("09/01/2027") && p.html.contains("Làm bù thứ Bảy thử nghiệm") && p.html.contains("Thứ Bảy")
    );
    // The calendars were rebuilt: deadlines use it at once.
    let r = app.call("GET", "/api/v1/calendar/holidays?year=2027", None, None, None).await;
    assert!(r.body.to_string().contains("Nghỉ bù thử nghiệm"));
}

#[tokio::test]
async fn holidays_are_entered_as_a_form_prefilled_with_the_years_days() {
    let app = setup().await;
    let mut admin = browser(&app, "giamdoc").await;
    let p = admin.get("/quan-tri/lich?year=2026").await;
    assert!(p.html.contains("type=\"date\" name=\"date_0\"") && p.html.contains("value=\"2026-02-17\""), "prefilled");
    let csrf = p.csrf();
    let row = |i: usize, date: &'static str, name: &'static str, kind: &'static str| {
        [(format!("date_{i}"), date), (format!("name_{i}"), name), (format!("kind_{i}"), kind)]
    };
    let post = |rows: Vec<[(String, &'static str); 3]>| {
        let mut f: Vec<(String, &str)> = vec![
            ("csrf".into(), csrf.as_str()),
            ("year".into(), "2028"),
            ("source".into(), "Thông báo thử 02/TB-2028"),
        ];
        f.extend(rows.into_iter().flatten());
        f
    };
    // A date that is not a date, and a weekday "working day": refused with the reasons, rows kept.
    let bad = post(vec![row(0, "2028-13-40", "Tết Dương lịch", "holiday")]);
    let form: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let p = admin.post_form("/quan-tri/lich", &form).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("2028-13-40") && p.html.contains("value=\"Tết Dương lịch\""), "{}", p.html);
    let bad = post(vec![row(0, "2028-01-01", "Tết Dương lịch", "holiday"), row(1, "2028-01-05", "Làm bù", "workday")]);
    let form: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let p = admin.post_form("/quan-tri/lich", &form).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("working_days"), "{}", p.html);

    let good = post(vec![
        row(0, "2028-01-01", "Tết Dương lịch", "holiday"),
        row(1, "", "", "holiday"),
        row(2, "2028-01-08", "Làm bù thứ Bảy", "workday"),
    ]);
    let form: Vec<(&str, &str)> = good.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let p = admin.post_form("/quan-tri/lich", &form).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    assert_eq!(p.location.as_deref(), Some("/quan-tri/lich?year=2028"));
    let p = admin.get("/quan-tri/lich?year=2028").await;
    assert!(
        p.html.contains("Thông báo thử 02/TB-2028")
            && p.html.contains("08/01/2028")
            && p.html.contains("Làm bù thứ Bảy")
    );
    let r = app.call("GET", "/api/v1/calendar/holidays?year=2028", None, None, None).await;
    assert!(r.body.to_string().contains("Làm bù thứ Bảy"));
}

#[tokio::test]
async fn a_center_administrator_sets_office_hours_for_their_center_and_the_deadlines_follow() {
    let app = setup().await;
    let mut b = browser(&app, "giamdoc").await;
    let form = b.get("/quan-tri/don-vi/C1").await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = form.csrf();
    let bad = [
        ("csrf", csrf.as_str()),
        ("name", "Trung tâm"),
        ("office_hours", "mon-fri 25:00-11:00"),
        ("code_template", "{unit_code}"),
        ("organ_id", "bad id"),
    ];
    let p = b.post_form("/quan-tri/don-vi/C1", &bad).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        p.html.contains("Giờ làm việc") && p.html.contains("Mẫu mã hồ sơ") && p.html.contains("Mã định danh điện tử")
    );
    let good = [
        ("csrf", csrf.as_str()),
        ("name", "Trung tâm Phục vụ hành chính công tỉnh"),
        ("office_hours", "mon-fri 07:30-11:30,13:30-17:30; sat 07:30-11:30"),
        ("code_template", "{unit_code}-{YYMMDD}-{seq:05}"),
        ("organ_id", "000.00.01.H01"),
    ];
    let p = b.post_form("/quan-tri/don-vi/C1", &good).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    // C1 now works until 17:30 and on Saturday mornings: Friday 17:00 + 2 working hours is
    // half an hour on Friday and 1.5 hours from Saturday 07:30.
    let r = app
        .call(
            "GET",
            "/api/v1/calendar/deadline?start=2025-07-04T17:00:00%2B07:00&working_hours=2&unit=C1",
            None,
            None,
            None,
        )
        .await;
    assert_eq!(r.body["due_at"], "2025-07-05T09:00:00+07:00");
    // Another unit's page is not the center administrator's to edit.
    assert_eq!(b.get("/quan-tri/don-vi/X1").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_officer_changes_the_password_and_an_administrators_reset_is_changed_at_the_next_sign_in() {
    let app = setup().await;
    let mut b = browser(&app, "tiepnhan").await;
    let page = b.get("/can-bo/mat-khau").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("autocomplete=\"new-password\"") && page.html.contains("href=\"/can-bo/mat-khau\""));
    let csrf = page.csrf();
    let change = |current: &'static str, new: &'static str, again: &'static str| {
        vec![("csrf", csrf.clone()), ("current", current.into()), ("new", new.into()), ("again", again.into())]
    };
    for (fields, message) in [
        (change("sai-mat-khau", "mat-khau-moi-2026", "mat-khau-moi-2026"), "Mật khẩu hiện tại không đúng"),
        (change("demo", "mat-khau-moi-2026", "mat-khau-khac-2026"), "không khớp"),
        (change("demo", "ngan", "ngan"), "ít nhất 10 ký tự"),
    ] {
        let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let p = b.post_form("/can-bo/mat-khau", &form).await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        assert!(p.html.contains(message), "{}", p.html);
    }
    assert_eq!(sign_in_with(&app, "tiepnhan", "demo").await, StatusCode::SEE_OTHER, "unchanged after refusals");
    let fields = change("demo", "mat-khau-moi-2026", "mat-khau-moi-2026");
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = b.post_form("/can-bo/mat-khau", &form).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(b.get(p.location.as_deref().unwrap_or_default()).await.html.contains("Đã đổi mật khẩu"));
    assert_eq!(sign_in_with(&app, "tiepnhan", "demo").await, StatusCode::UNAUTHORIZED);
    assert_eq!(sign_in_with(&app, "tiepnhan", "mat-khau-moi-2026").await, StatusCode::SEE_OTHER);

    // The center administrator resets it: a temporary password, changed at the next sign-in.
    let mut admin = browser(&app, "giamdoc").await;
    let reset =
        [("username", "tiepnhan"), ("full_name", "Cán bộ tiếp nhận"), ("password", "tam-thoi-2026"), ("active", "1")];
    let p = save_account(&mut admin, "update", &reset, &[("C1", "receiver")]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    let mut t = Browser::new(&app);
    let form = t.get("/dang-nhap").await;
    let p = t
        .post_form("/dang-nhap", &[("csrf", &form.csrf()), ("username", "tiepnhan"), ("password", "tam-thoi-2026")])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = t.get("/can-bo").await;
    assert_eq!((p.status, p.location.as_deref()), (StatusCode::SEE_OTHER, Some("/can-bo/mat-khau")));
    let p = t.get("/quay").await;
    assert_eq!(p.location.as_deref(), Some("/can-bo/mat-khau"), "every officer page waits for the change");
    let page = t.get("/can-bo/mat-khau").await;
    assert!(page.html.contains("do quản trị viên đặt"), "{}", page.html);
    let csrf = page.csrf();
    let p = t
        .post_form(
            "/can-bo/mat-khau",
            &[
                ("csrf", &csrf),
                ("current", "tam-thoi-2026"),
                ("new", "cua-rieng-toi-2026"),
                ("again", "cua-rieng-toi-2026"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(t.get("/can-bo").await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_account_list_is_searched_without_diacritics_and_paged() {
    let app = setup().await;
    let mut admin = browser(&app, "giamdoc").await;
    let p = admin.get("/quan-tri/nguoi-dung?q=tiep+nhan").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.html.contains("<td>tiepnhan</td>") && !p.html.contains("<td>giamdoc</td>"), "{}", p.html);
    let p = admin.get("/quan-tri/nguoi-dung?q=khong-co-ai").await;
    assert!(p.html.contains("0 tài khoản"));
    // 60 more accounts: two pages of 50.
    for i in 0..60 {
        let u = motcua_store::users::User {
            username: format!("canbo.{i:02}"),
            full_name: format!("Cán bộ thử {i:02}"),
            password_hash: "x".into(),
            default_password: false,
            must_change_password: false,
            active: true,
            roles: vec![(motcua_domain::ids::UnitCode::parse("C1").unwrap(), motcua_domain::dossier::Role::Receiver)],
        };
        app.store.put_user(&u, time::OffsetDateTime::now_utc()).await.unwrap();
    }
    let p = admin.get("/quan-tri/nguoi-dung?q=can+bo+thu").await;
    assert!(p.html.contains("60 tài khoản") && p.html.contains("trang 1/2") && p.html.contains("rel=\"next\""));
    let p = admin.get("/quan-tri/nguoi-dung?q=can+bo+thu&trang=2").await;
    assert!(p.html.contains("<td>canbo.59</td>") && !p.html.contains("<td>canbo.00</td>"), "{}", p.html);
    assert_eq!(
        admin.get("/quan-tri/nguoi-dung?trang=99").await.status,
        StatusCode::OK,
        "a page past the end shows the last"
    );
}

#[tokio::test]
async fn an_administrator_publishes_a_procedure_with_its_decision_and_amends_it() {
    let app = setup().await;
    let mut admin = browser(&app, "giamdoc").await;
    let p = admin.get("/quan-tri/thu-tuc/moi").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.html.contains("<option value=\"A1\"") && p.html.contains("<label for=\"number\">"));
    let csrf = p.csrf();
    let today = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7)).date();
    let iso = format!("{:04}-{:02}-{:02}", today.year(), u8::from(today.month()), today.day());
    let fields = |number: &'static str, fees: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("code", "1.009999".to_owned()),
            ("name", "Cấp giấy phép thử nghiệm".to_owned()),
            ("field", "Xây dựng".to_owned()),
            ("level", "province".to_owned()),
            ("agency", "A2".to_owned()),
            ("days", "7".to_owned()),
            ("online", "full".to_owned()),
            ("fees", fees.to_owned()),
            ("documents", "Đơn đề nghị\nBản vẽ thiết kế (nếu có)".to_owned()),
            ("results", "Giấy phép".to_owned()),
            ("legal_basis", "Luật Xây dựng 2014".to_owned()),
            ("number", number.to_owned()),
            ("signed_on", iso.clone()),
            ("effective_from", iso.clone()),
            ("signer", "Chủ tịch UBND tỉnh".to_owned()),
        ]
    };
    for (f, message) in [
        (fields("", "Lệ phí: 100.000"), "số"),
        (fields("99/QĐ-UBND", "một trăm nghìn"), "cần dạng"),
        (fields("99/QĐ-UBND", "Phí: 2.000 đ/trang; giảm một nửa"), "giảm một nửa"),
    ] {
        let form: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let p = admin.post_form("/quan-tri/thu-tuc/moi", &form).await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.html);
        assert!(p.html.contains("role=\"alert\"") && p.html.contains(message), "{message}: {}", p.html);
        assert!(p.html.contains("value=\"Cấp giấy phép thử nghiệm\""), "what was typed is kept");
    }
    let f = fields("99/QĐ-UBND", "Lệ phí cấp phép: 100.000");
    let form: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = admin.post_form("/quan-tri/thu-tuc/moi", &form).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    assert_eq!(p.location.as_deref(), Some("/quan-tri/thu-tuc/1.009999/phien-ban"));
    let r = app.call("GET", "/api/v1/procedures/1.009999", None, None, None).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["fees"][0]["amount"], 100000);
    assert_eq!(r.body["agency"], "A2");
    let decisions = admin.get("/quan-tri/quyet-dinh").await;
    assert!(decisions.html.contains("99/QĐ-UBND") && decisions.html.contains("1.009999"));

    // Amend it: the form opens filled; the new decision makes version 2.
    let p = admin.get("/quan-tri/thu-tuc/moi?sua=1.009999").await;
    assert!(p.html.contains("value=\"Cấp giấy phép thử nghiệm\"") && p.html.contains("readonly"));
    let mut f = fields(
        "100/QĐ-UBND",
        "Lệ phí cấp phép: 150.000\nPhí chứng thực bản vẽ: 2.000 đ/trang; từ trang thứ 3: 1.000 đ/trang; tối đa 200.000 đ/bản",
    );
    f[0].1 = p.csrf();
    let form: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = admin.post_form("/quan-tri/thu-tuc/moi", &form).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    let r = app.call("GET", "/api/v1/procedures/1.009999", None, None, None).await;
    assert_eq!((r.body["version"].as_i64(), r.body["fees"][0]["amount"].as_i64()), (Some(2), Some(150000)));
    let per_page = &r.body["fees"][1];
    assert_eq!((per_page["per"].as_str(), per_page["max"].as_i64()), (Some("trang"), Some(200_000)), "{per_page}");
    assert_eq!(per_page["tiers"][0]["from"], 3);
    // The form and the public page write the rule as the law does, not as a sum.
    let p = admin.get("/quan-tri/thu-tuc/moi?sua=1.009999").await;
    assert!(
        p.html.contains("Phí chứng thực bản vẽ: 2.000 đ/trang; từ trang thứ 3: 1.000 đ/trang; tối đa 200.000 đ/bản")
    );
    let page = admin.get("/thu-tuc/1.009999").await;
    assert!(page.html.contains("2.000 đ/trang; từ trang thứ 3: 1.000 đ/trang; tối đa 200.000 đ/bản"), "{}", page.html);
    // Officers without an administrator role cannot.
    let mut other = browser(&app, "chuyenvien").await;
    assert_eq!(other.get("/quan-tri/thu-tuc/moi").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_administrator_sets_up_counter_groups_and_counters_of_their_one_stop() {
    let app = setup().await;
    let mut admin = browser(&app, "giamdoc").await;
    let p = admin.get("/quan-tri/hang-doi").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(
        p.html.contains("<option value=\"C1\">") && !p.html.contains("<option value=\"X1\">"),
        "only their one-stops"
    );
    let csrf = p.csrf();
    let group = |code: &'static str, unit: &'static str, prefix: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("code", code.into()),
            ("unit", unit.into()),
            ("name", "Tư pháp – Hộ tịch".into()),
            ("prefix", prefix.into()),
            ("fields", "Hộ tịch\nChứng thực".into()),
        ]
    };
    let send = |f: &Vec<(&'static str, String)>| f.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let post = async |b: &mut Browser<'_>, path: &str, f: Vec<(&'static str, String)>| {
        let form: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        b.post_form(path, &form).await
    };
    let p = post(&mut admin, "/quan-tri/hang-doi/nhom", send(&group("C1-TP", "C1", "12"))).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("một chữ cái in hoa"), "{}", p.html);
    let p = post(&mut admin, "/quan-tri/hang-doi/nhom", send(&group("X1-MC", "X1", "A"))).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "another unit's one-stop");
    let p = post(&mut admin, "/quan-tri/hang-doi/nhom", send(&group("C1-TP", "C1", "b"))).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    let counter =
        vec![("csrf", csrf.clone()), ("id", "C1-TP-Q01".into()), ("name", "Quầy B1".into()), ("group", "C1-TP".into())];
    let p = post(&mut admin, "/quan-tri/hang-doi/quay", counter).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    let p = admin.get("/quan-tri/hang-doi?xong=1").await;
    assert!(
        p.html.contains("Đã lưu") && p.html.contains("Tư pháp – Hộ tịch") && p.html.contains("Quầy B1"),
        "{}",
        p.html
    );
    let kiosk = Browser::new(&app).get("/lay-so?unit=C1").await;
    assert!(kiosk.html.contains("Tư pháp – Hộ tịch") && kiosk.html.contains("Hộ tịch, Chứng thực"));
    let mut other = browser(&app, "tiepnhan").await;
    assert_eq!(other.get("/quan-tri/hang-doi").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_administrator_publishes_a_month_and_a_correction_is_only_a_new_revision() {
    let app = setup().await;
    let mut admin = browser(&app, "giamdoc").await;
    let p = admin.get("/quan-tri/cong-khai").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    let csrf = p.csrf();
    let today = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7)).date();
    let this_month = format!("{:04}-{:02}", today.year(), u8::from(today.month()));
    let last = today.replace_day(1).unwrap().previous_day().unwrap();
    let last_month = format!("{:04}-{:02}", last.year(), u8::from(last.month()));
    let p = admin.post_form("/quan-tri/cong-khai", &[("csrf", &csrf), ("month", &this_month), ("note", "")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "a month not ended: {}", p.html);
    assert!(p.html.contains("role=\"alert\""));
    let p = admin
        .post_form("/quan-tri/cong-khai", &[("csrf", &csrf), ("month", &last_month), ("note", "Công khai tháng")])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    assert_eq!(p.location.as_deref(), Some(format!("/cong-khai/{last_month}").as_str()));
    let list = admin.get("/quan-tri/cong-khai").await;
    assert!(list.html.contains(&format!("href=\"/cong-khai/{last_month}\"")) && list.html.contains("Công khai tháng"));
    // The same figures again: no new revision (a correction needs changed figures).
    let p = admin
        .post_form("/quan-tri/cong-khai", &[("csrf", &csrf), ("month", &last_month), ("note", "Đính chính")])
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.html);
    assert!(p.html.contains("value=\"") && p.html.contains("Đính chính"), "the form keeps what was typed");
    let mut other = browser(&app, "lanhdao").await;
    assert_eq!(other.get("/quan-tri/cong-khai").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_restructure_is_run_dry_first_and_then_applied_from_the_administration() {
    let app = setup().await;
    let mut admin = browser(&app, "giamdoc").await;
    let p = admin.get("/quan-tri/sap-xep").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    let csrf = p.csrf();
    let plan = r#"{"effective_on": "2025-07-01", "legal_basis": "NQ 1654/NQ-UBTVQH15", "operations": [
      {"op": "merge", "from": ["X1", "X2"], "into": {"code": "X9", "name": "Phường Hợp Nhất", "kind": "ward", "level": "commune"}}]}"#;
    let p =
        admin.post_form("/quan-tri/sap-xep", &[("csrf", &csrf), ("plan", "{không phải JSON"), ("run", "dry")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("JSON"), "{}", p.html);
    let p = admin.post_form("/quan-tri/sap-xep", &[("csrf", &csrf), ("plan", plan), ("run", "dry")]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(
        p.html.contains("Chạy thử — chưa ghi gì") && p.html.contains("X1, X2") && p.html.contains("tiepnhan.x1"),
        "{}",
        p.html
    );
    let r = app.call("GET", "/api/v1/units", None, None, None).await;
    assert!(!r.body.to_string().contains("Phường Hợp Nhất"), "a dry run writes nothing");
    let p = admin.post_form("/quan-tri/sap-xep", &[("csrf", &csrf), ("plan", plan), ("run", "apply")]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.html.contains("Đã thực hiện sắp xếp"));
    let r = app.call("GET", "/api/v1/units", None, None, None).await;
    assert!(r.body.to_string().contains("Phường Hợp Nhất"), "{:?}", r.body);
}

#[tokio::test]
async fn the_guided_restructure_form_builds_the_plan_runs_it_dry_and_hands_it_to_apply() {
    let app = setup().await;
    let mut admin = browser(&app, "giamdoc").await;
    let p = admin.get("/quan-tri/sap-xep").await;
    assert!(p.html.contains("id=\"guided\"") && p.html.contains("<select id=\"g-from\" name=\"from\" multiple"));
    let csrf = p.csrf();
    let merge = |date: &'static str, from: &[&'static str]| {
        let mut f = vec![
            ("csrf", csrf.clone()),
            ("effective_on", date.to_owned()),
            ("legal_basis", "NQ 1654/NQ-UBTVQH15".to_owned()),
            ("op", "merge".to_owned()),
            ("into_code", "X9".to_owned()),
            ("into_name", "Phường Hợp Nhất".to_owned()),
            ("into_kind", "ward".to_owned()),
            ("into_parent", String::new()),
            ("run", "dry".to_owned()),
        ];
        f.extend(from.iter().map(|c| ("from", (*c).to_owned())));
        f
    };
    let post = async |b: &mut Browser<'_>, f: Vec<(&'static str, String)>| {
        let form: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        b.post_form("/quan-tri/sap-xep", &form).await
    };
    // Bad forms come back with the reason and what was typed.
    let p = post(&mut admin, merge("", &["X1", "X2"])).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("Chọn ngày có hiệu lực") && p.html.contains("value=\"Phường Hợp Nhất\""), "{}", p.html);
    let p = post(&mut admin, merge("2025-07-01", &["X1"])).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("ít nhất hai đơn vị"), "{}", p.html);
    // A good one is run dry; the plan it built is shown for "Apply".
    let p = post(&mut admin, merge("2025-07-01", &["X1", "X2"])).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.html.contains("Chạy thử — chưa ghi gì") && p.html.contains("X1, X2"), "{}", p.html);
    assert!(
        p.html.contains("&#34;op&#34;: &#34;merge&#34;") || p.html.contains("&quot;op&quot;: &quot;merge&quot;"),
        "{}",
        p.html
    );
    assert!(p.html.contains("<option value=\"X1\" selected>"), "the chosen units stay chosen");
    assert!(!p.html.contains(">receiver<"), "roles by name in the report");
    let r = app.call("GET", "/api/v1/units", None, None, None).await;
    assert!(!r.body.to_string().contains("Phường Hợp Nhất"), "a dry run writes nothing");
    let plan = p
        .html
        .split("name=\"plan\"")
        .nth(1)
        .and_then(|t| t.split('>').nth(1))
        .and_then(|t| t.split("</textarea").next());
    let plan = plan.expect("the plan's textarea").replace("&#34;", "\"").replace("&quot;", "\"");
    let p = admin.post_form("/quan-tri/sap-xep", &[("csrf", &csrf), ("plan", &plan), ("run", "apply")]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.html.contains("Đã thực hiện sắp xếp"));
    let r = app.call("GET", "/api/v1/units", None, None, None).await;
    assert!(r.body.to_string().contains("Phường Hợp Nhất"), "{:?}", r.body);
    // A rename of a unit that ended is refused by the same rules as the API's.
    let rename = vec![
        ("csrf", csrf.clone()),
        ("effective_on", "2025-08-01".to_owned()),
        ("legal_basis", "QĐ 1/QĐ-UBND".to_owned()),
        ("op", "rename".to_owned()),
        ("unit", "X1".to_owned()),
        ("new_name", "Xã Mới".to_owned()),
        ("run", "dry".to_owned()),
    ];
    let p = post(&mut admin, rename).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.html);
}

#[tokio::test]
async fn an_administrator_creates_a_new_unit_under_one_they_administer() {
    let app = setup().await;
    let mut admin = browser(&app, "giamdoc").await;
    let p = admin.get("/quan-tri/don-vi").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.html.contains("<label for=\"u-code\">") && p.html.contains("value=\"counter\""));
    let csrf = p.csrf();
    let unit = |code: &'static str, parent: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("code", code.into()),
            ("name", "Điểm tiếp nhận số 2".into()),
            ("kind", "counter".into()),
            ("parent", parent.into()),
            ("organ_id", String::new()),
        ]
    };
    let post = async |b: &mut Browser<'_>, f: Vec<(&'static str, String)>| {
        let form: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        b.post_form("/quan-tri/don-vi", &form).await
    };
    let p = post(&mut admin, unit("C1", "C1")).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "an existing code");
    assert!(p.html.contains("đã có đơn vị mang mã này") && p.html.contains("value=\"Điểm tiếp nhận số 2\""));
    assert_eq!(post(&mut admin, unit("C1Q2", "A1")).await.status, StatusCode::FORBIDDEN, "not their unit");
    let p = post(&mut admin, unit("C1Q2", "C1")).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    assert_eq!(p.location.as_deref(), Some("/quan-tri/don-vi/C1Q2"));
    let r = app.call("GET", "/api/v1/units", None, None, None).await;
    assert!(r.body.to_string().contains("Điểm tiếp nhận số 2"), "{:?}", r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_password_changes_at_once_have_one_winner_and_no_server_error() {
    let app = setup().await;
    let change = |new: &'static str| {
        let app = &app;
        async move {
            let body = serde_json::json!({"username": "tiepnhan", "password": "demo", "new_password": new});
            app.call("POST", "/api/v1/auth/password", None, None, Some(body)).await
        }
    };
    let (a, b) = tokio::join!(change("mat-khau-thu-nhat-1"), change("mat-khau-thu-hai-22"));
    let statuses = [a.status, b.status];
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::NO_CONTENT).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| !s.is_server_error()), "{statuses:?}");
    let loser = if a.status == StatusCode::NO_CONTENT { &b } else { &a };
    assert!(
        matches!(loser.body["code"].as_str(), Some("password_changed_meanwhile" | "invalid_credentials")),
        "{:?}",
        loser.body
    );
    let winner = if a.status == StatusCode::NO_CONTENT { "mat-khau-thu-nhat-1" } else { "mat-khau-thu-hai-22" };
    let login = serde_json::json!({"username": "tiepnhan", "password": winner});
    assert_eq!(app.call("POST", "/api/v1/auth/login", None, None, Some(login)).await.status, StatusCode::OK);
    let old = serde_json::json!({"username": "tiepnhan", "password": "demo"});
    assert_eq!(app.call("POST", "/api/v1/auth/login", None, None, Some(old)).await.status, StatusCode::UNAUTHORIZED);
}
