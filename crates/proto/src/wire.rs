//! The bridge between the events' proto enums and the domain's: `ToWire` writes a domain
//! value into an event field, `FromWire` reads it back and refuses `UNSPECIFIED` and numbers
//! this build does not know (a consumer dead-letters such a record instead of guessing).
//! Both matches are exhaustive, so a variant added on one side only does not compile.

use crate::common as pb;
use domain::case as d;

/// An enum field that holds no value this build knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {value} is not a known {name}")]
pub struct UnknownWire {
    pub name: &'static str,
    pub field: &'static str,
    pub value: i32,
}

/// A domain enum as the number an event field carries.
pub trait ToWire: Copy {
    fn wire(self) -> i32;
}

/// A domain enum read from an event field (`field` names it in the error).
pub trait FromWire: Sized {
    fn from_wire(value: i32, field: &'static str) -> Result<Self, UnknownWire>;

    /// Every value of a repeated field, or the first unknown one.
    fn from_wire_all(values: &[i32], field: &'static str) -> Result<Vec<Self>, UnknownWire> {
        values.iter().map(|v| Self::from_wire(*v, field)).collect()
    }
}

macro_rules! bridge {
    ($($name:ident { $($variant:ident),+ $(,)? })+) => {$(
        impl From<d::$name> for pb::$name {
            fn from(v: d::$name) -> Self {
                match v { $(d::$name::$variant => pb::$name::$variant),+ }
            }
        }

        impl ToWire for d::$name {
            fn wire(self) -> i32 {
                pb::$name::from(self) as i32
            }
        }

        impl FromWire for d::$name {
            fn from_wire(value: i32, field: &'static str) -> Result<Self, UnknownWire> {
                let unknown = UnknownWire { name: stringify!($name), field, value };
                match pb::$name::try_from(value).map_err(|_| unknown.clone())? {
                    pb::$name::Unspecified => Err(unknown),
                    $(pb::$name::$variant => Ok(d::$name::$variant)),+
                }
            }
        }
    )+};
}

bridge! {
    Category { A, B, C }
    Department { ScienceTech, Hrss, PublicSecurity }
    Item { WorkPermit, SocialInsurance, TitleReview, ResidencePermit }
    ItemStatus {
        NotStarted, Pending, InReview, SupplementRequested, Approved, Refused, Completed, Cancelled, NotApplicable,
    }
    Insurance { Pension, Medical, WorkInjury, Unemployment, Maternity }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<T: ToWire + FromWire + PartialEq + std::fmt::Debug>(all: &[T]) {
        for v in all {
            assert_eq!(T::from_wire(v.wire(), "f").unwrap(), *v);
            assert_ne!(v.wire(), 0, "{v:?} must not be UNSPECIFIED");
        }
    }

    #[test]
    fn every_domain_value_round_trips_through_its_proto_number() {
        round_trips(d::Category::ALL);
        round_trips(d::Department::ALL);
        round_trips(d::Item::ALL);
        round_trips(d::ItemStatus::ALL);
        round_trips(d::Insurance::ALL);
    }

    #[test]
    fn unspecified_and_unknown_numbers_are_refused_with_the_field() {
        let err = d::Department::from_wire(0, "department").unwrap_err();
        assert_eq!(err.to_string(), "department: 0 is not a known Department");
        assert!(d::ItemStatus::from_wire(99, "status").is_err());
        assert_eq!(d::Item::from_wire_all(&[1, 4], "items").unwrap(), [d::Item::WorkPermit, d::Item::ResidencePermit]);
        assert!(d::Item::from_wire_all(&[1, 0], "items").is_err());
    }
}
