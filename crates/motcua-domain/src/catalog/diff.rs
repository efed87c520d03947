//! Differences between two versions of a procedure, field by field (what an amending decision
//! changed, NĐ 63/2010/NĐ-CP Art. 14 as amended; domain.md §5.5).

use serde::Serialize;
use serde_json::Value;

use super::Procedure;

/// One top-level field that differs; `before`/`after` are JSON (`null` when absent).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Value,
    pub after: Value,
}

/// The top-level fields whose JSON differs between `a` and `b`, in field-name order. The
/// `version` field itself is not reported.
pub fn diff(a: &Procedure, b: &Procedure) -> Vec<FieldChange> {
    let (Ok(Value::Object(a)), Ok(Value::Object(b))) = (serde_json::to_value(a), serde_json::to_value(b)) else {
        return Vec::new();
    };
    let mut fields: Vec<&String> = a.keys().chain(b.keys()).filter(|k| *k != "version").collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter_map(|f| {
            let before = a.get(f).cloned().unwrap_or(Value::Null);
            let after = b.get(f).cloned().unwrap_or(Value::Null);
            (before != after).then(|| FieldChange { field: f.clone(), before, after })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_fields_are_reported_and_version_is_ignored() {
        let a: Procedure = serde_json::from_value(serde_json::json!({
            "code": "1.000001", "version": 1, "name": "A", "field": "F", "level": "province",
            "agency": "A1", "processing_days": 3, "online_level": "full"
        }))
        .expect("test procedure");
        let b = Procedure { version: 2, processing_days: Some(2.0), processing_hours: None, ..a.clone() };
        let changes = diff(&a, &b);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field, "processing_days");
        assert_eq!(changes[0].before, serde_json::json!(3.0));
        assert_eq!(changes[0].after, serde_json::json!(2.0));
        assert!(diff(&a, &a).is_empty());
    }
}
