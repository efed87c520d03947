//! The national-portal sync record of a dossier through its life (issue 15 item 1), field by
//! field: a supplementation during processing with the appointment before and after, an
//! extension, the fees assessed at reception, the return; a refusal and a withdrawal.

mod common;

use common::*;
use motcua_domain::national::{Officer, SyncRecord, record, status, transition_allowed, validate};
use time::macros::datetime;

fn who(u: &str) -> Officer {
    Officer {
        name: format!("Nguyễn {u}"), title: "Chuyên viên".into(), department: "Bộ phận Một cửa".into()
    }
}

fn sync(s: &Story) -> SyncRecord {
    let r = record(&s.events, &who, &|f| format!("https://motcua.example/tep/{f}")).expect("the history folds");
    assert_eq!(validate(&r), vec![], "the portal accepts {:?}", r.dossier.TrangThaiHoSo);
    r
}

#[test]
fn a_dossier_with_a_supplement_an_extension_and_its_return_syncs_every_list() {
    let mut s = Story::received(datetime!(2025-03-10 08:00 +7));
    let r = sync(&s);
    assert_eq!((r.dossier.TrangThaiHoSo, r.dossier.KenhThucHien), (status::RECEIVED, 2));
    assert_eq!(r.dossier.NgayTiepNhan, "20250310080000");
    assert_eq!(r.dossier.MaTTHC, s.d.procedure_code.to_string());
    assert_eq!(r.dossier.SoBienNhan, r.dossier.MaHoSo);
    assert_eq!(r.dossier.DanhSachLePhi.len(), 1, "the fee line, not an empty list");
    assert_eq!(r.dossier.DanhSachLePhi[0].Gia, FEE);
    let before = r.dossier.NgayHenTra.clone();

    s.act(&leader(), datetime!(2025-03-10 09:00 +7), complete());
    s.act(&specialist(), datetime!(2025-03-10 10:00 +7), request_supplement());
    let r = sync(&s);
    assert_eq!(r.dossier.TrangThaiHoSo, status::SUPPLEMENT);
    let asked = &r.dossier.DanhSachHoSoBoSung[0];
    assert!(asked.NoiDungBoSung.contains("Bản sao CCCD") && !asked.TrangThaiBoSung);
    assert_eq!(asked.NgayHenTraTruoc, before);
    assert_eq!(asked.NguoiYeuCauBoSung, "Nguyễn chuyenvien");

    s.act(&receiver(), datetime!(2025-03-12 08:00 +7), supplement());
    let r = sync(&s);
    let done = &r.dossier.DanhSachHoSoBoSung[0];
    assert!(done.TrangThaiBoSung && done.NgayTiepNhanBoSung == "20250312080000");
    assert!(done.NgayHenTraMoi > done.NgayHenTraTruoc, "the pause moved the appointment later");
    assert_eq!(r.dossier.NgayHenTra, done.NgayHenTraMoi);

    let later = s.d.appointment_at.unwrap() + time::Duration::days(7);
    s.act(&leader(), datetime!(2025-03-12 09:00 +7), extend(later));
    let r = sync(&s);
    assert!(r.progress.last().unwrap().NoiDungXuLy.starts_with("Gia hạn, xin lỗi và hẹn lại"));
    s.approve_at(datetime!(2025-03-13 09:00 +7));
    let r = sync(&s);
    assert_eq!(r.dossier.TrangThaiHoSo, status::RESOLVED);
    assert_eq!(r.dossier.NgayKetThucXuLy, "20250313090000");
    s.act(&receiver(), datetime!(2025-03-13 14:00 +7), return_result(true));
    let r = sync(&s);
    assert_eq!((r.dossier.TrangThaiHoSo, r.dossier.NgayTra.as_str()), (status::RETURNED, "20250313140000"));
    // The whole history, in order, each line with who, their title and department.
    assert_eq!(r.progress.len(), s.events.len());
    assert_eq!(r.progress[0].NguoiXuLy, s.d.applicant.name, "the applicant submitted it online");
    assert!(r.progress[1..].iter().all(|p| p.NguoiXuLy.starts_with("Nguyễn ") && p.ChucDanh == "Chuyên viên"));
    let codes: Vec<u8> = r.progress.iter().map(|p| p.TrangThai).collect();
    let mut last = None;
    for c in codes {
        assert!(transition_allowed(last, c), "{last:?} → {c}");
        last = Some(c);
    }
}

#[test]
fn a_refusal_and_a_withdrawal_end_the_dossier_for_the_portal() {
    let mut refused = Story::online(datetime!(2025-03-10 08:00 +7));
    refused.act(&receiver(), datetime!(2025-03-10 09:00 +7), refuse());
    let r = sync(&refused);
    assert_eq!((r.dossier.TrangThaiHoSo, r.dossier.NgayTuChoi.as_str()), (status::REFUSED, "20250310090000"));
    assert!(r.dossier.NgayTiepNhan.is_empty(), "never received");
    assert!(!transition_allowed(Some(status::REFUSED), status::RECEIVED));

    let mut withdrawn = Story::received(datetime!(2025-03-10 08:00 +7));
    withdrawn.act(&receiver(), datetime!(2025-03-11 08:00 +7), withdraw());
    let r = sync(&withdrawn);
    assert_eq!(r.dossier.TrangThaiHoSo, status::STOPPED);
    assert!(!r.dossier.NgayKetThucXuLy.is_empty(), "the withdrawal ends processing");
}

#[test]
fn the_portal_refuses_a_record_with_broken_fields() {
    let s = Story::received(datetime!(2025-03-10 08:00 +7));
    let mut r = sync(&s);
    r.dossier.KenhThucHien = 4;
    r.dossier.NgayHenTra = "2025-03-13".into();
    r.dossier.MaTTHC = "abc".into();
    r.progress.reverse();
    let fields: Vec<&str> = validate(&r).iter().map(|e| e.field).collect();
    for f in ["KenhThucHien", "NgayHenTra", "MaTTHC", "tienTrinhDongBo"] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
}
