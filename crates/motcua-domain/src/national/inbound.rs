//! A dossier a citizen submitted on the national portal, as the portal hands it to the province
//! (issue 15 item 2; docs/NATIONAL_PORTAL.md "Inbound"): the same record pulled on a schedule or
//! pushed by the portal. Since 1/7/2025 citizens submit on DVCQG and the provincial system
//! receives the dossier there (NĐ 118/2025 Art. 11, 17; TT 04/2025/TT-VPCP on the data
//! exchanged). The portal's inbound API is not published; the field names are the ones the
//! portal uses for the same facts in the sync record ([`super::NationalDossier`]), with the
//! file's content inline (base64, as edXML carries attachments).
//!
//! [`check`] is the whole acceptance rule: a record either passes every check and becomes one
//! [`Inbound`] (then one dossier), or it is refused with every field that is wrong; nothing is
//! half-imported.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{FieldError, parse_portal_time};
use crate::catalog::fees::{FeeFact, MAX_QUANTITY, Relief};
use crate::dossier::Applicant;
use crate::ids::{CitizenId, ProcedureCode};

/// Most components one record may carry (as a submission to the province).
pub const MAX_COMPONENTS: usize = 100;

/// The record as the portal sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub struct PortalDossier {
    /// The portal's code of the dossier: what makes a record sent twice one dossier.
    // Required fields default to empty so that [`check`] names each one missing.
    #[serde(default)]
    pub MaHoSo: String,
    #[serde(default)]
    pub MaTTHC: String,
    /// The commune, ward or special zone chosen for a commune-level procedure; empty otherwise.
    #[serde(default)]
    pub MaDonViTiepNhan: String,
    /// When the citizen submitted, `yyyyMMddHHmmss` Vietnam time.
    #[serde(default)]
    pub NgayNopHoSo: String,
    #[serde(default)]
    pub ChuHoSo: String,
    #[serde(default)]
    pub SoGiayToChuHoSo: String,
    #[serde(default)]
    pub SoDienThoai: String,
    #[serde(default)]
    pub Email: String,
    #[serde(default)]
    pub DiaChi: String,
    /// The components handed in, each with its file.
    #[serde(default)]
    pub TaiLieuNop: Vec<PortalComponent>,
    /// What the applicant declared for the fee schedule's lines.
    #[serde(default)]
    pub DanhSachLePhi: Vec<PortalFeeFact>,
}

/// One component with its file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub struct PortalComponent {
    /// The component's name as the procedure lists it.
    pub TenGiayTo: String,
    /// The file's name.
    #[serde(default)]
    pub TenTepDinhKem: String,
    /// The file, base64; empty when the component was only declared.
    #[serde(default)]
    pub NoiDungTep: String,
    /// 1 when the portal took it from the citizen's data store (KhoDMQG).
    #[serde(default)]
    pub DuocLayTuKhoDMQG: u8,
}

/// The applicant's facts for one line of the schedule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub struct PortalFeeFact {
    /// The line's number in the procedure's schedule, from 1.
    pub STT: usize,
    /// Pages (or other units) of each copy.
    #[serde(default)]
    pub SoLuong: Option<u32>,
    /// Copies.
    #[serde(default)]
    pub SoBan: Option<u32>,
    /// 1: the case this line names applies.
    #[serde(default)]
    pub ApDung: u8,
    /// An exemption (100) or a reduction in percent, with its reason.
    #[serde(default)]
    pub MienGiam: Option<u8>,
    #[serde(default)]
    pub LyDoMienGiam: String,
}

/// One component as accepted: its name, and its file (name and base64 text) if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundComponent {
    pub name: String,
    pub file: Option<(String, String)>,
    pub from_national_store: bool,
}

/// A record that passed [`check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    pub portal_code: String,
    pub procedure: String,
    pub unit: Option<String>,
    pub submitted_at: OffsetDateTime,
    pub applicant: Applicant,
    pub components: Vec<InboundComponent>,
    pub fees: Vec<FeeFact>,
}

/// The portal's code: 1–50 letters, digits, `.`, `-`, `_` (its codes look like
/// `G22.99-250701-0001`); anything else could not be shown or looked up safely.
pub fn valid_portal_code(s: &str) -> bool {
    !s.is_empty() && s.len() <= 50 && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// Checks the record as a whole; `now` bounds the submission instant (a dossier is not
/// submitted in the future; the portal's clock may run a few minutes ahead, so five are
/// allowed and the instant is taken as `now`). Every wrong field is listed.
pub fn check(p: &PortalDossier, now: OffsetDateTime) -> Result<Inbound, Vec<FieldError>> {
    let mut out = Vec::new();
    let mut need = |ok: bool, field: &'static str, message: &str| {
        if !ok {
            out.push(FieldError { field, message: message.to_owned() });
        }
    };
    need(valid_portal_code(p.MaHoSo.trim()), "MaHoSo", "required: 1–50 letters, digits, '.', '-', '_'");
    need(ProcedureCode::parse(p.MaTTHC.trim()).is_ok(), "MaTTHC", "a national procedure code (1.001234)");
    let unit = p.MaDonViTiepNhan.trim();
    need(
        unit.len() <= 50 && unit.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_')),
        "MaDonViTiepNhan",
        "a unit code or empty",
    );
    let submitted = parse_portal_time(p.NgayNopHoSo.trim());
    need(submitted.is_some(), "NgayNopHoSo", "yyyyMMddHHmmss (Vietnam time)");
    let ahead = submitted.is_some_and(|t| t > now + time::Duration::minutes(5));
    need(!ahead, "NgayNopHoSo", "not in the future");
    need(
        !p.ChuHoSo.trim().is_empty() && p.ChuHoSo.chars().count() <= 200,
        "ChuHoSo",
        "required, at most 200 characters",
    );
    need(CitizenId::parse(&p.SoGiayToChuHoSo).is_ok(), "SoGiayToChuHoSo", "a 9- or 12-digit identity number, or empty");
    need(p.TaiLieuNop.len() <= MAX_COMPONENTS, "TaiLieuNop", "at most 100 components");
    need(
        p.TaiLieuNop.iter().all(|c| !c.TenGiayTo.trim().is_empty() && c.TenGiayTo.chars().count() <= 500),
        "TaiLieuNop",
        "every component is named (at most 500 characters)",
    );
    need(
        p.TaiLieuNop.iter().all(|c| c.NoiDungTep.is_empty() || !c.TenTepDinhKem.trim().is_empty()),
        "TaiLieuNop",
        "a file needs its name (TenTepDinhKem)",
    );
    need(p.TaiLieuNop.iter().all(|c| c.DuocLayTuKhoDMQG <= 1), "TaiLieuNop", "DuocLayTuKhoDMQG is 0 or 1");
    need(p.DanhSachLePhi.len() <= 100, "DanhSachLePhi", "at most 100 lines");
    need(
        p.DanhSachLePhi.iter().all(|f| f.STT >= 1 && f.ApDung <= 1),
        "DanhSachLePhi",
        "STT counts from 1; ApDung is 0 or 1",
    );
    need(
        p.DanhSachLePhi.iter().all(|f| {
            f.SoLuong.is_none_or(|q| (1..=MAX_QUANTITY).contains(&q))
                && f.SoBan.is_none_or(|q| (1..=MAX_QUANTITY).contains(&q))
        }),
        "DanhSachLePhi",
        "SoLuong and SoBan are from 1 to 100000",
    );
    need(
        p.DanhSachLePhi.iter().all(|f| match f.MienGiam {
            None => true,
            Some(pc) => (1..=100).contains(&pc) && !f.LyDoMienGiam.trim().is_empty(),
        }),
        "DanhSachLePhi",
        "MienGiam is 1–100 percent with its reason (LyDoMienGiam)",
    );
    let mut lines: Vec<usize> = p.DanhSachLePhi.iter().map(|f| f.STT).collect();
    lines.sort_unstable();
    need(lines.windows(2).all(|w| w[0] != w[1]), "DanhSachLePhi", "one entry per line");
    if !out.is_empty() {
        return Err(out);
    }
    let submitted_at = submitted.map_or(now, |t| t.min(now));
    Ok(Inbound {
        portal_code: p.MaHoSo.trim().to_owned(),
        procedure: p.MaTTHC.trim().to_owned(),
        unit: (!unit.is_empty()).then(|| unit.to_owned()),
        submitted_at,
        applicant: Applicant {
            name: p.ChuHoSo.trim().to_owned(),
            id_number: CitizenId::as_received(p.SoGiayToChuHoSo.trim()),
            phone: p.SoDienThoai.trim().to_owned(),
            email: p.Email.trim().to_owned(),
            address: p.DiaChi.trim().to_owned(),
        },
        components: p
            .TaiLieuNop
            .iter()
            .map(|c| InboundComponent {
                name: c.TenGiayTo.trim().to_owned(),
                file: (!c.NoiDungTep.is_empty()).then(|| (c.TenTepDinhKem.trim().to_owned(), c.NoiDungTep.clone())),
                from_national_store: c.DuocLayTuKhoDMQG == 1,
            })
            .collect(),
        fees: p
            .DanhSachLePhi
            .iter()
            .map(|f| FeeFact {
                line: f.STT - 1,
                quantity: f.SoLuong,
                groups: f.SoBan,
                chosen: f.ApDung == 1,
                relief: f.MienGiam.map(|percent| Relief { percent, reason: f.LyDoMienGiam.trim().to_owned() }),
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> OffsetDateTime {
        time::macros::datetime!(2025-07-02 03:00 UTC)
    }

    fn record() -> PortalDossier {
        PortalDossier {
            MaHoSo: "G22.99-250702-0001".into(),
            MaTTHC: "2.000815".into(),
            NgayNopHoSo: "20250702090000".into(),
            ChuHoSo: " Nguyễn Văn An ".into(),
            SoGiayToChuHoSo: "001085012345".into(),
            TaiLieuNop: vec![PortalComponent {
                TenGiayTo: "Bản chính giấy tờ".into(),
                TenTepDinhKem: "giay-to.pdf".into(),
                NoiDungTep: "JVBERi0=".into(),
                DuocLayTuKhoDMQG: 1,
            }],
            DanhSachLePhi: vec![PortalFeeFact { STT: 1, SoLuong: Some(3), SoBan: Some(2), ..Default::default() }],
            ..Default::default()
        }
    }

    #[test]
    fn a_good_record_becomes_one_inbound_dossier_with_its_files_and_fee_facts() {
        let i = check(&record(), now()).unwrap();
        assert_eq!(i.portal_code, "G22.99-250702-0001");
        assert_eq!(i.applicant.name, "Nguyễn Văn An");
        assert_eq!(i.submitted_at, time::macros::datetime!(2025-07-02 02:00 UTC), "09:00 Vietnam time");
        assert_eq!(i.components[0].file, Some(("giay-to.pdf".into(), "JVBERi0=".into())));
        assert!(i.components[0].from_national_store);
        assert_eq!((i.fees[0].line, i.fees[0].quantity, i.fees[0].groups), (0, Some(3), Some(2)));
    }

    #[test]
    fn every_wrong_field_is_named_and_nothing_is_accepted() {
        let mut r = record();
        r.MaHoSo = "<script>".into();
        r.NgayNopHoSo = "2025-07-02".into();
        r.ChuHoSo = " ".into();
        r.TaiLieuNop[0].DuocLayTuKhoDMQG = 2;
        r.DanhSachLePhi.push(PortalFeeFact { STT: 1, MienGiam: Some(50), ..Default::default() });
        let errors = check(&r, now()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        for f in ["MaHoSo", "NgayNopHoSo", "ChuHoSo", "TaiLieuNop", "DanhSachLePhi"] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
        assert!(errors.iter().any(|e| e.message.contains("one entry per line")));
        assert!(errors.iter().any(|e| e.message.contains("reason")));
    }

    #[test]
    fn missing_required_fields_are_each_named() {
        let r: PortalDossier = serde_json::from_str("{}").unwrap();
        let fields: Vec<&str> = check(&r, now()).unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["MaHoSo", "MaTTHC", "NgayNopHoSo", "ChuHoSo"]);
    }

    #[test]
    fn a_submission_in_the_future_is_refused_but_a_clock_a_little_ahead_is_not() {
        let mut r = record();
        r.NgayNopHoSo = "20250702100400".into(); // 03:04 UTC: four minutes ahead
        assert_eq!(check(&r, now()).unwrap().submitted_at, now());
        r.NgayNopHoSo = "20250702110000".into();
        assert_eq!(check(&r, now()).unwrap_err()[0].field, "NgayNopHoSo");
    }

    #[test]
    fn portal_codes_are_short_and_plain() {
        assert!(valid_portal_code("G22.99-250702-0001") && valid_portal_code("000.00.12.H22_1"));
        assert!(!valid_portal_code("") && !valid_portal_code("a b") && !valid_portal_code(&"9".repeat(51)));
    }
}
