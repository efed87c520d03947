//! Proptest strategies for valid packages and status messages, shared by the property tests
//! (`roundtrip.rs`, `dsig.rs`).
#![allow(dead_code)]

use motcua_edxml::{
    Attachment, Business, BusinessDocType, DocumentCode, DocumentKind, DocumentType, Header, Organ, OrganId, OtherInfo,
    Package, Priority, PromulgationInfo, ResponseFor, SignerInfo, StaffInfo, StatusCode, StatusMessage, SteeringType,
    TraceHeader,
};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use time::{Date, Month, PrimitiveDateTime, Time};

/// Non-empty text with Vietnamese letters, markup characters, CR/LF/TAB and spaces at the edges.
pub fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵĐƯ&<>\"'\r\n\t/.,;-]{1,30}"
}

pub fn opt_text() -> impl Strategy<Value = Option<String>> {
    option::of(text())
}

pub fn organ_id() -> impl Strategy<Value = OrganId> {
    ("[A-Y][0-9]{2}", vec("[0-9A-Z]{1,3}", 0..4), any::<bool>()).prop_map(|(l1, groups, qcvn_order)| {
        let mut parts = groups;
        if qcvn_order {
            parts.push(l1)
        } else {
            parts.insert(0, l1)
        }
        OrganId::parse(&parts.join(".")).unwrap()
    })
}

pub fn organ() -> impl Strategy<Value = Organ> {
    (organ_id(), text(), opt_text(), opt_text(), opt_text(), opt_text(), opt_text(), opt_text()).prop_map(
        |(id, name, organization_in_charge, address, email, telephone, fax, website)| Organ {
            id,
            organization_in_charge,
            name,
            address,
            email,
            telephone,
            fax,
            website,
        },
    )
}

pub fn date() -> impl Strategy<Value = Date> {
    (0i32..=9999, 1u8..=12, 1u8..=28)
        .prop_map(|(y, m, d)| Date::from_calendar_date(y, Month::try_from(m).unwrap(), d).unwrap())
}

pub fn timestamp() -> impl Strategy<Value = PrimitiveDateTime> {
    (date(), 0u8..24, 0u8..60, 0u8..60)
        .prop_map(|(d, h, m, s)| PrimitiveDateTime::new(d, Time::from_hms(h, m, s).unwrap()))
}

pub fn staff() -> impl Strategy<Value = StaffInfo> {
    (opt_text(), opt_text(), opt_text(), opt_text()).prop_map(|(department, staff, mobile, email)| StaffInfo {
        department,
        staff,
        mobile,
        email,
    })
}

pub fn response_for() -> impl Strategy<Value = ResponseFor> {
    (organ_id(), text(), date(), text()).prop_map(|(organ_id, code, promulgation_date, document_id)| ResponseFor {
        organ_id,
        code,
        promulgation_date,
        document_id,
    })
}

pub fn attachments() -> impl Strategy<Value = Vec<Attachment>> {
    vec((text(), text(), text(), opt_text(), vec(any::<u8>(), 0..200)), 0..4).prop_map(|items| {
        items
            .into_iter()
            .enumerate()
            .map(|(i, (id, content_type, name, description, content))| Attachment {
                content_id: format!("{i}-{id}"),
                content_type,
                name,
                description,
                content,
            })
            .collect()
    })
}

pub fn header() -> impl Strategy<Value = Header> {
    let first = (
        organ(),
        vec(organ(), 1..3),
        (text(), text()),
        (text(), date()),
        (any::<u16>(), text(), opt_text()),
        text(),
        opt_text(),
        option::of((opt_text(), opt_text(), text())),
        option::of(date()),
        vec(text(), 0..3),
    );
    let second = (
        (0usize..5, opt_text(), opt_text(), option::of(any::<u32>()), option::of(any::<u32>()), vec(text(), 0..3)),
        option::of(response_for()),
        0u32..5,
        vec((organ_id(), timestamp()), 0..3),
        option::of((0usize..4, opt_text(), opt_text(), option::of(staff()), opt_text())),
    );
    (first, second).prop_map(
        |(
            (
                from,
                to,
                (number, notation),
                (place, pdate),
                (kind, type_name, detail),
                subject,
                content,
                signer,
                due_date,
                to_places,
            ),
            ((priority, sphere, typer, amount, pages, appendixes), response_for, steering, traces, business),
        )| Header {
            from,
            to,
            code: DocumentCode { number, notation },
            promulgation: PromulgationInfo { place, date: pdate },
            document_type: DocumentType { kind: DocumentKind::from_code(u32::from(kind)), name: type_name, detail },
            subject,
            content,
            signer: signer.map(|(competence, position, full_name)| SignerInfo { competence, position, full_name }),
            due_date,
            to_places,
            other_info: OtherInfo {
                priority: Priority::ALL[priority],
                sphere_of_promulgation: sphere,
                typer_notation: typer,
                promulgation_amount: amount.map(|n| n % 100_000),
                page_amount: pages.map(|n| n % 100_000),
                appendixes,
            },
            response_for,
            steering_type: SteeringType::from_code(steering),
            traces: traces.into_iter().map(|(organ_id, timestamp)| TraceHeader { organ_id, timestamp }).collect(),
            business: business.map(|(t, reason, document_id, staff, paper)| Business {
                doc_type: BusinessDocType::ALL[t],
                reason,
                document_id,
                staff,
                paper,
            }),
        },
    )
}

pub fn package() -> impl Strategy<Value = Package> {
    (header(), attachments()).prop_map(|(header, attachments)| Package { header, attachments })
}

pub fn status() -> impl Strategy<Value = StatusMessage> {
    (response_for(), organ(), 0usize..9, text(), option::of(text()), timestamp(), option::of(staff())).prop_map(
        |(response_for, from, code, reason, description, timestamp, staff)| {
            let status = StatusCode::ALL[code];
            let description = if status.requires_reason() { Some(format!("Lý do: {reason}")) } else { description };
            StatusMessage { response_for, from, status, description, timestamp, staff }
        },
    )
}
