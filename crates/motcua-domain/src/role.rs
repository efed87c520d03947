//! Officer roles, granted per unit (DESIGN.md "Auth"). Kept apart from the dossier so the
//! internal process ([`crate::process`]) can name roles without importing the dossier that it
//! shapes.

use serde::{Deserialize, Serialize};

/// Officer roles (DESIGN.md "Auth").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Receiver,
    Specialist,
    Leader,
    CenterAdmin,
    Clerk,
    SystemAdmin,
}

impl Role {
    pub const ALL: [Role; 6] =
        [Role::Receiver, Role::Specialist, Role::Leader, Role::CenterAdmin, Role::Clerk, Role::SystemAdmin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Receiver => "receiver",
            Role::Specialist => "specialist",
            Role::Leader => "leader",
            Role::CenterAdmin => "center_admin",
            Role::Clerk => "clerk",
            Role::SystemAdmin => "system_admin",
        }
    }

    /// The role's name in Vietnamese, as pages and the national portal's history show it.
    pub fn label_vi(self) -> &'static str {
        match self {
            Role::Receiver => "Tiếp nhận, trả kết quả",
            Role::Specialist => "Chuyên viên xử lý",
            Role::Leader => "Lãnh đạo",
            Role::CenterAdmin => "Quản trị trung tâm",
            Role::Clerk => "Văn thư",
            Role::SystemAdmin => "Quản trị hệ thống",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}
