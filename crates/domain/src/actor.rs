//! Who is asking: the roles of the public contract and the caller of a request.
//!
//! The gateway authenticates a person and puts an [`Actor`] into the signed internal token
//! of every call; services read it from the request (never from the message) and decide
//! with it what the caller may do.

use crate::Violations;
use crate::case::{Department, wire_enum};

wire_enum!(
    /// A caller's role. The first seven are held by people (API.md); `anonymous` is a
    /// caller without a token (card activation, foreigner sign-in) and `system` a service
    /// acting on an event.
    Role {
        Employer => "employer",
        Foreigner => "foreigner",
        Reviewer => "reviewer",
        Officer => "officer",
        Ops => "ops",
        Admin => "admin",
        Auditor => "auditor",
        Anonymous => "anonymous",
        System => "system",
    }
);

impl Role {
    /// Roles a person can be issued a token for.
    pub const PEOPLE: &'static [Role] =
        &[Role::Employer, Role::Foreigner, Role::Reviewer, Role::Officer, Role::Ops, Role::Admin, Role::Auditor];

    /// Department staff: each belongs to exactly one department.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Reviewer | Role::Officer)
    }

    /// Oversight roles that read across departments (statistics, queues).
    pub fn is_operator(self) -> bool {
        matches!(self, Role::Ops | Role::Admin)
    }
}

/// The caller of a request, as authenticated by the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub role: Role,
    /// Employer: the unified social credit code; foreigner: the work permit number;
    /// staff: their user name; system: the service name.
    pub subject: String,
    /// Only staff belong to a department.
    pub department: Option<Department>,
}

impl Actor {
    /// Checks a claimed identity completely: a person's role, a subject, a department for
    /// staff and none for anyone else; counter officers belong to public security.
    pub fn parse(role: &str, subject: &str, department: &str) -> Result<Actor, Violations> {
        let mut v = Violations::new();
        let people: Vec<&str> = Role::PEOPLE.iter().map(|r| r.as_str()).collect();
        let role = match role.parse::<Role>() {
            Ok(r) if Role::PEOPLE.contains(&r) => Some(r),
            _ => {
                v.push("role", "unknown_value", format!("role must be one of {}", people.join(", ")));
                None
            }
        };
        if subject.trim().is_empty() {
            v.push("subject", "required", "subject is required");
        }
        let staff = role.is_some_and(Role::is_staff);
        let parsed = department.parse::<Department>().ok();
        let departments: Vec<&str> = Department::ALL.iter().map(|d| d.as_str()).collect();
        if let Some(r) = role {
            if staff && parsed.is_none() {
                v.push("department", "unknown_value", format!("a {r} needs a department: {}", departments.join(", ")));
            } else if r == Role::Officer && parsed != Some(Department::PublicSecurity) {
                v.push("department", "invalid", "counter officers belong to public-security");
            } else if !staff && !department.is_empty() {
                v.push("department", "not_allowed", format!("a {r} has no department"));
            }
        }
        match role {
            Some(role) if v.is_empty() => {
                Ok(Actor { role, subject: subject.trim().to_string(), department: parsed.filter(|_| staff) })
            }
            _ => Err(v),
        }
    }

    /// A service acting on an event.
    pub fn system(service: &str) -> Actor {
        Actor { role: Role::System, subject: service.into(), department: None }
    }

    /// A caller without a token (card activation and sign-in authenticate by themselves).
    pub fn anonymous() -> Actor {
        Actor { role: Role::Anonymous, subject: String::new(), department: None }
    }

    pub fn is(&self, role: Role) -> bool {
        self.role == role
    }

    /// A reviewer or officer of `department`.
    pub fn is_staff_of(&self, department: Department) -> bool {
        self.role.is_staff() && self.department == Some(department)
    }

    /// The department's wire name, or "" for callers outside any department.
    pub fn department_str(&self) -> &'static str {
        self.department.map_or("", Department::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(r: Result<Actor, Violations>) -> Vec<(String, String)> {
        r.unwrap_err().0.into_iter().map(|v| (v.field, v.code)).collect()
    }

    #[test]
    fn a_reviewer_with_a_department_is_an_actor() {
        let a = Actor::parse("reviewer", "alice", "hrss").unwrap();
        assert_eq!((a.role, a.department), (Role::Reviewer, Some(Department::Hrss)));
        assert!(a.is_staff_of(Department::Hrss));
        assert!(!a.is_staff_of(Department::ScienceTech));
    }

    #[test]
    fn every_problem_of_a_claimed_identity_is_reported() {
        assert_eq!(
            codes(Actor::parse("wizard", "", "")),
            [("role".into(), "unknown_value".into()), ("subject".into(), "required".into())]
        );
        assert_eq!(codes(Actor::parse("reviewer", "bob", "")), [("department".into(), "unknown_value".into())]);
        assert_eq!(codes(Actor::parse("reviewer", "bob", "police")), [("department".into(), "unknown_value".into())]);
        assert_eq!(codes(Actor::parse("officer", "bob", "hrss")), [("department".into(), "invalid".into())]);
        assert_eq!(codes(Actor::parse("employer", "x", "hrss")), [("department".into(), "not_allowed".into())]);
    }

    #[test]
    fn internal_roles_cannot_be_claimed() {
        assert!(Actor::parse("system", "gateway", "").is_err());
        assert!(Actor::parse("anonymous", "x", "").is_err());
        assert!(Actor::parse("auditor", "a", "").is_ok());
    }
}
