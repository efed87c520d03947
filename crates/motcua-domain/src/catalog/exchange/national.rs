//! The national portal's procedure record (CSDLQG về TTHC, domain.md §5.4).
//!
//! Field names **from the issue** (the portal's names): `MaTTHC`, `TRINHTUTHUCHIEN`,
//! `CACHTHUCTHUCHIEN`, `THOIGIANGIAIQUYET`, `PHILEPHI`, `THANHPHANHOSO`, `CANCUPHAPLY`,
//! `COQUANTHUCHIEN`, `KETQUATHUCHIEN`. Names that are **our assumption (UNCONFIRMED)**:
//! `TENTTHC` (name), `LINHVUC` (field), `CAPTHUCHIEN` (level), `MUCDODVC` (online level),
//! `PHIENBAN` (version) and every nested name (`SONGAY`, `SOGIO`, `TENPHI`, `MUCPHI`, `TENGIAYTO`,
//! `BANCHINH`, `SOLUONG`, `MAUDON`). `TRINHTUTHUCHIEN` carries our internal steps (same shape
//! as the API) and `CACHTHUCTHUCHIEN` is derived from the online level on export and ignored on
//! import.

use serde::{Deserialize, Serialize};

use super::{RowError, finish, parse_level, parse_online};
use crate::catalog::{Fee, Level, OnlineLevel, Procedure, ProcedureCode, RequiredDocument};
use crate::process::ProcessStep;

/// A procedure under the national portal's field names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(non_snake_case)]
pub struct NationalProcedure {
    pub MaTTHC: String,
    #[serde(default = "one")]
    pub PHIENBAN: i64,
    pub TENTTHC: String,
    pub LINHVUC: String,
    /// `Tỉnh | Xã | Huyện` (also accepts `province | commune | district`).
    pub CAPTHUCHIEN: String,
    pub COQUANTHUCHIEN: String,
    pub THOIGIANGIAIQUYET: Duration,
    #[serde(default)]
    pub PHILEPHI: Vec<NationalFee>,
    #[serde(default)]
    pub THANHPHANHOSO: Vec<NationalDocument>,
    #[serde(default)]
    pub KETQUATHUCHIEN: Vec<String>,
    #[serde(default)]
    pub CANCUPHAPLY: Vec<String>,
    /// `Toàn trình | Một phần | Không` (also `full | partial | none`).
    pub MUCDODVC: String,
    #[serde(default)]
    pub CACHTHUCTHUCHIEN: Vec<String>,
    #[serde(default)]
    pub TRINHTUTHUCHIEN: Vec<ProcessStep>,
}

/// Processing time: days or hours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Duration {
    #[serde(rename = "SONGAY", default, skip_serializing_if = "Option::is_none")]
    pub days: Option<f64>,
    #[serde(rename = "SOGIO", default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<f64>,
}

/// A fee in đồng. `TENPHI` and `MUCPHI` are the national record's; the rule of a per-unit line
/// (`DONVITINH`, `BACGIA`, `MUCTOITHIEU`, `MUCTOIDA`, `NHOMTINH`, `APDUNG`: Motcua's, see
/// [`crate::catalog::fees::Fee`]) is written only when the line has one, and a record without
/// them reads as a fixed amount.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NationalFee {
    #[serde(rename = "TENPHI")]
    pub name: String,
    #[serde(rename = "MUCPHI")]
    pub amount: i64,
    #[serde(rename = "DONVITINH", default, skip_serializing_if = "Option::is_none")]
    pub per: Option<String>,
    #[serde(rename = "BACGIA", default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<crate::catalog::fees::FeeTier>,
    #[serde(rename = "MUCTOITHIEU", default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(rename = "MUCTOIDA", default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    #[serde(rename = "NHOMTINH", default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(rename = "APDUNG", default, skip_serializing_if = "crate::catalog::fees::FeeApplies::is_always")]
    pub applies: crate::catalog::fees::FeeApplies,
}

impl From<&Fee> for NationalFee {
    fn from(f: &Fee) -> Self {
        NationalFee {
            name: f.name.clone(),
            amount: f.amount,
            per: f.per.clone(),
            tiers: f.tiers.clone(),
            min: f.min,
            max: f.max,
            group: f.group.clone(),
            applies: f.applies,
        }
    }
}

impl From<NationalFee> for Fee {
    fn from(f: NationalFee) -> Self {
        Fee {
            name: f.name,
            amount: f.amount,
            per: f.per,
            tiers: f.tiers,
            min: f.min,
            max: f.max,
            group: f.group,
            applies: f.applies,
        }
    }
}

/// A dossier component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NationalDocument {
    #[serde(rename = "TENGIAYTO")]
    pub name: String,
    #[serde(rename = "BANCHINH", default)]
    pub original: bool,
    #[serde(rename = "SOLUONG", default = "one_u32")]
    pub copies: u32,
    #[serde(rename = "MAUDON", default, skip_serializing_if = "Option::is_none")]
    pub form: Option<String>,
}

fn one() -> i64 {
    1
}
fn one_u32() -> u32 {
    1
}

impl From<&Procedure> for NationalProcedure {
    fn from(p: &Procedure) -> Self {
        let mut channels = vec!["Trực tiếp".to_owned(), "Dịch vụ bưu chính".to_owned()];
        if p.online_level.accepts_online() {
            channels.push("Trực tuyến".to_owned());
        }
        NationalProcedure {
            MaTTHC: p.code.to_string(),
            PHIENBAN: p.version,
            TENTTHC: p.name.clone(),
            LINHVUC: p.field.clone(),
            CAPTHUCHIEN: match p.level {
                Level::Province => "Tỉnh",
                Level::Commune => "Xã",
                Level::District => "Huyện",
            }
            .to_owned(),
            COQUANTHUCHIEN: p.agency.clone(),
            THOIGIANGIAIQUYET: Duration { days: p.processing_days, hours: p.processing_hours },
            PHILEPHI: p.fees.iter().map(NationalFee::from).collect(),
            THANHPHANHOSO: p
                .documents
                .iter()
                .map(|d| NationalDocument {
                    name: d.name.clone(),
                    original: d.original,
                    copies: d.copies,
                    form: d.form.clone(),
                })
                .collect(),
            KETQUATHUCHIEN: p.results.clone(),
            CANCUPHAPLY: p.legal_basis.clone(),
            MUCDODVC: match p.online_level {
                OnlineLevel::Full => "Toàn trình",
                OnlineLevel::Partial => "Một phần",
                OnlineLevel::None => "Không",
            }
            .to_owned(),
            CACHTHUCTHUCHIEN: channels,
            TRINHTUTHUCHIEN: p.steps.clone(),
        }
    }
}

impl NationalProcedure {
    /// Our procedure, or the errors of this record (at position `row`).
    fn into_procedure(self, row: usize) -> Result<Procedure, Vec<RowError>> {
        let mut errors = Vec::new();
        let code = ProcedureCode::parse(&self.MaTTHC).unwrap_or_else(|e| {
            errors.push(RowError::new(row, Some("MaTTHC"), e.message, e.message_vi));
            ProcedureCode::default()
        });
        let level = parse_level(&self.CAPTHUCHIEN);
        if level.is_none() {
            errors.push(RowError::new(
                row,
                Some("CAPTHUCHIEN"),
                format!("unknown level '{}'", self.CAPTHUCHIEN),
                format!("cấp '{}' không hợp lệ", self.CAPTHUCHIEN),
            ));
        }
        let online = parse_online(&self.MUCDODVC);
        if online.is_none() {
            errors.push(RowError::new(
                row,
                Some("MUCDODVC"),
                format!("unknown online level '{}'", self.MUCDODVC),
                format!("mức độ trực tuyến '{}' không hợp lệ", self.MUCDODVC),
            ));
        }
        let (Some(level), Some(online_level)) = (level, online) else { return Err(errors) };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Procedure {
            code,
            version: self.PHIENBAN,
            name: self.TENTTHC,
            field: self.LINHVUC,
            level,
            agency: self.COQUANTHUCHIEN,
            processing_days: self.THOIGIANGIAIQUYET.days,
            processing_hours: self.THOIGIANGIAIQUYET.hours,
            fees: self.PHILEPHI.into_iter().map(Fee::from).collect(),
            documents: self
                .THANHPHANHOSO
                .into_iter()
                .map(|d| RequiredDocument { name: d.name, original: d.original, copies: d.copies, form: d.form })
                .collect(),
            results: self.KETQUATHUCHIEN,
            legal_basis: self.CANCUPHAPLY,
            online_level,
            steps: self.TRINHTUTHUCHIEN,
        })
    }
}

/// The national JSON of `procedures` (an array).
pub fn to_json(procedures: &[Procedure]) -> serde_json::Value {
    serde_json::Value::Array(
        procedures
            .iter()
            .map(|p| serde_json::to_value(NationalProcedure::from(p)).unwrap_or(serde_json::Value::Null))
            .collect(),
    )
}

/// Parses a JSON array of procedures, each either a national record (has `MaTTHC`) or our own
/// API shape. Records are numbered from 1; every error is collected.
pub fn parse_json(text: &str) -> Result<Vec<Procedure>, Vec<RowError>> {
    let items: Vec<serde_json::Value> = serde_json::from_str(text).map_err(|e| {
        vec![RowError::new(0, None, format!("not a JSON array: {e}"), format!("không phải mảng JSON: {e}"))]
    })?;
    let mut out = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let row = i + 1;
        let parsed = if item.get("MaTTHC").is_some() {
            serde_json::from_value::<NationalProcedure>(item)
                .map_err(|e| vec![bad_record(row, e)])
                .and_then(|n| n.into_procedure(row))
        } else {
            serde_json::from_value::<Procedure>(item).map_err(|e| vec![bad_record(row, e)])
        };
        match parsed {
            Ok(p) => out.push((row, p)),
            Err(mut e) => errors.append(&mut e),
        }
    }
    finish(out, errors)
}

fn bad_record(row: usize, e: serde_json::Error) -> RowError {
    RowError::new(row, None, format!("invalid record: {e}"), format!("bản ghi không hợp lệ: {e}"))
}
