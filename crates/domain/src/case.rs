//! The vocabulary of the bundled application: categories, departments, items, statuses.
//!
//! Each enum has one wire name (`snake_case`, as in the public API) used by HTTP, events
//! and the database alike.

use thiserror::Error;

use crate::violation::HasCode;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{value:?} is not one of {expected}")]
pub struct UnknownName {
    pub value: String,
    pub expected: &'static str,
}

impl HasCode for UnknownName {
    fn code(&self) -> &'static str {
        "unknown_value"
    }
}

/// Defines a `Copy` enum whose variants each have one wire name, with `ALL`, `as_str`,
/// `FromStr` / `TryFrom<String>` (error [`UnknownName`]), `AsRef<str>`, `Display` and serde
/// through the wire name. `TryFrom<String>` lets sqlx decode a column with
/// `#[sqlx(try_from = "String")]`.
///
/// ```
/// domain::wire_enum!(
///     /// A colour.
///     Colour { Red => "red", DarkBlue => "dark-blue" }
/// );
/// assert_eq!(Colour::ALL, &[Colour::Red, Colour::DarkBlue]);
/// assert_eq!("dark-blue".parse::<Colour>().unwrap(), Colour::DarkBlue);
/// assert_eq!(Colour::try_from(String::from("red")).unwrap(), Colour::Red);
/// assert_eq!(Colour::try_from(String::from("Red")).unwrap_err().value, "Red");
/// assert_eq!(Colour::DarkBlue.as_ref(), "dark-blue");
/// assert_eq!(Colour::Red.to_string(), "red");
/// ```
#[macro_export]
macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vm])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The wire names of [`Self::ALL`], in the same order.
            pub const NAMES: &'static [&'static str] = &[$($wire),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::case::UnknownName;
            fn from_str(s: &str) -> ::std::result::Result<Self, $crate::case::UnknownName> {
                match s {
                    $($wire => Ok($name::$variant),)+
                    _ => Err($crate::case::UnknownName { value: s.to_string(), expected: concat!($($wire, " "),+) }),
                }
            }
        }

        impl ::std::convert::TryFrom<::std::string::String> for $name {
            type Error = $crate::case::UnknownName;
            fn try_from(s: ::std::string::String) -> ::std::result::Result<Self, $crate::case::UnknownName> {
                s.parse()
            }
        }

        impl ::std::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        // Serde goes through the wire name so that JSON, events and the database agree
        // with `as_str` ("science-tech", "A", "M"), which `rename_all` cannot express.
        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error>
            where
                S: $crate::__private::serde::Serializer,
            {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D>(d: D) -> ::std::result::Result<Self, D::Error>
            where
                D: $crate::__private::serde::Deserializer<'de>,
            {
                let s = <::std::borrow::Cow<'de, str> as $crate::__private::serde::Deserialize>::deserialize(d)?;
                s.parse().map_err($crate::__private::serde::de::Error::custom)
            }
        }

        $crate::__wire_enum_schema!($name [$($wire),+]);
    };
}

/// With the `schema` feature a wire enum is an OpenAPI string schema listing its names.
#[cfg(feature = "schema")]
#[doc(hidden)]
#[macro_export]
macro_rules! __wire_enum_schema {
    ($name:ident [$($wire:literal),+]) => {
        impl $crate::__private::utoipa::PartialSchema for $name {
            fn schema() -> $crate::__private::utoipa::openapi::RefOr<$crate::__private::utoipa::openapi::schema::Schema> {
                use $crate::__private::utoipa::openapi::schema::{ObjectBuilder, Type};
                ObjectBuilder::new().schema_type(Type::String).enum_values(Some([$($wire),+])).into()
            }
        }
        impl $crate::__private::utoipa::ToSchema for $name {}
    };
}

#[cfg(not(feature = "schema"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __wire_enum_schema {
    ($($t:tt)*) => {};
}

pub use crate::wire_enum;

wire_enum!(
    /// Work permit category of the national classification standard.
    Category { A => "A", B => "B", C => "C" }
);

wire_enum!(
    /// A department that owns items of the bundle.
    Department {
        ScienceTech => "science-tech",
        Hrss => "hrss",
        PublicSecurity => "public-security",
    }
);

wire_enum!(
    /// The four items bundled into one application.
    Item {
        WorkPermit => "work_permit",
        SocialInsurance => "social_insurance",
        TitleReview => "title_review",
        ResidencePermit => "residence_permit",
    }
);

wire_enum!(
    /// Status of one item as shown to the employer.
    ItemStatus {
        NotStarted => "not_started",
        Pending => "pending",
        InReview => "in_review",
        SupplementRequested => "supplement_requested",
        Approved => "approved",
        Refused => "refused",
        Completed => "completed",
        Cancelled => "cancelled",
        /// The item will never be done because the case ended another way.
        NotApplicable => "not_applicable",
    }
);

wire_enum!(
    /// Status of the whole case.
    CaseStatus {
        Accepted => "accepted",
        InReview => "in_review",
        SupplementRequested => "supplement_requested",
        InProgress => "in_progress",
        Refused => "refused",
        Completed => "completed",
        /// The work permit was cancelled (after its approval).
        Cancelled => "cancelled",
    }
);

wire_enum!(
    /// Legal form of the employer; public institutions need an extra enrollment form.
    EmployerKind {
        Enterprise => "enterprise",
        PublicInstitution => "public_institution",
        SocialOrganization => "social_organization",
    }
);

wire_enum!(
    /// Applicant's sex as printed in the passport.
    Sex { M => "M", F => "F" }
);

wire_enum!(
    /// A consultation or a complaint on a case (`case_messages.kind`).
    MessageKind { Consultation => "consultation", Complaint => "complaint" }
);

wire_enum!(
    /// Where a message came in: online, or a call to the 12345 hotline (0931-12345) that
    /// its operators record.
    MessageChannel { Online => "online", Hotline12345 => "hotline_12345" }
);

wire_enum!(
    /// The insurances of a social insurance registration (MOHRSS Order No. 16, FACTS §6).
    Insurance {
        Pension => "pension",
        Medical => "medical",
        WorkInjury => "work_injury",
        Unemployment => "unemployment",
        Maternity => "maternity",
    }
);

wire_enum!(
    /// An entry of a case's timeline (`case_timeline.event`), as service-center writes it:
    /// its own steps, what it reads from the departments' events, and the steps the
    /// departments report as `item-progressed` (whose `event` must be one of these; the
    /// case view refuses others). Every name has a translation in `web/catalog/codes.json`
    /// (`event.<name>`); the names are stored, so they never change.
    TimelineEvent {
        // service-center: intake, supplements, messages
        /// The submission passed the one-time notice and became a case.
        CaseAccepted => "case_accepted",
        /// The forms the system fills in (application and registration forms) were made.
        FormsGenerated => "forms_generated",
        /// The employer supplied the requested materials.
        CaseSupplemented => "case_supplemented",
        ConsultationReceived => "consultation_received",
        ComplaintReceived => "complaint_received",
        MessageAnswered => "message_answered",
        // work permit (science-tech, hrss), from their events
        PermitReviewStarted => "permit_review_started",
        /// The reviewer asked for materials (named after the item status it leads to).
        SupplementRequested => "supplement_requested",
        /// The desk received the supplement (`item-progressed` of the desk).
        SupplementReceived => "supplement_received",
        PermitApproved => "permit_approved",
        PermitRefused => "permit_refused",
        PermitChanged => "permit_changed",
        PermitExtended => "permit_extended",
        PermitCancelled => "permit_cancelled",
        /// An approved permit handed a downstream item to its department.
        HandedToDepartment => "handed_to_department",
        /// A downstream item still open ended with the permit's cancellation.
        EndedByCancellation => "ended_by_cancellation",
        /// An item that will never be done because the case ended another way.
        NotApplicable => "item_not_applicable",
        // hrss: social insurance and the card
        /// The registration deadline (30 days from the permit's issue) is set.
        SocialInsuranceDue => "social_insurance_due",
        SocialInsuranceRegistered => "social_insurance_registered",
        SocialSecurityCardActivated => "social_security_card_activated",
        CardPermitInfoUpdated => "card_permit_info_updated",
        CardPermitInfoCancelled => "card_permit_info_cancelled",
        // hrss: title review
        TitleReviewQueued => "title_review_queued",
        GansuServiceRecorded => "gansu_service_recorded",
        TitleReviewDecided => "title_review_decided",
        TitleReviewCancelled => "title_review_cancelled",
        // public-security: the residence case
        ResidenceCaseOpened => "residence_case_opened",
        ResidenceEntryRecorded => "residence_entry_recorded",
        ResidenceApplicationReceived => "residence_application_received",
        ResidenceVerificationScheduled => "residence_verification_scheduled",
        ResidenceVerificationRescheduled => "residence_verification_rescheduled",
        ResidenceVerificationRecorded => "residence_verification_recorded",
        /// The officer's approval, as public-security reports it (`item-progressed`).
        ResidencePermitApproved => "residence_permit_approved",
        /// The permit's number and validity, from `residence-permit-issued`.
        ResidencePermitIssued => "residence_permit_issued",
        ResidencePermitRefused => "residence_permit_refused",
        ResidencePermitCollected => "residence_permit_collected",
        ResidenceCaseCancelled => "residence_case_cancelled",
        /// An issued residence permit is up for revocation after the work permit's cancellation.
        WorkPermitCancelledNotice => "work_permit_cancelled_notice",
        /// The officer revoked it, from a date.
        ResidencePermitRevoked => "residence_permit_revoked",
        /// The officer kept it, for a stated reason.
        ResidencePermitKept => "residence_permit_kept",
    }
);

impl TimelineEvent {
    /// The entry of a new message of `kind`.
    pub fn message_received(kind: MessageKind) -> TimelineEvent {
        match kind {
            MessageKind::Consultation => TimelineEvent::ConsultationReceived,
            MessageKind::Complaint => TimelineEvent::ComplaintReceived,
        }
    }
}

impl Category {
    /// Categories A and B go to science & technology, C to human resources & social security.
    pub fn department(self) -> Department {
        match self {
            Category::A | Category::B => Department::ScienceTech,
            Category::C => Department::Hrss,
        }
    }
}

impl Item {
    /// The department that handles the item, given the permit's category.
    pub fn department(self, category: Category) -> Department {
        match self {
            Item::WorkPermit => category.department(),
            Item::SocialInsurance | Item::TitleReview => Department::Hrss,
            Item::ResidencePermit => Department::PublicSecurity,
        }
    }

    /// Items that are always part of the bundle, added when the employer leaves them out.
    pub fn is_mandatory(self) -> bool {
        matches!(self, Item::WorkPermit | Item::ResidencePermit)
    }
}

impl ItemStatus {
    /// Whether the item has reached a final state.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ItemStatus::Refused
                | ItemStatus::Completed
                | ItemStatus::Cancelled
                | ItemStatus::NotStarted
                | ItemStatus::NotApplicable
        )
    }
}

/// The items of a bundle in their canonical order, with the mandatory ones added.
pub fn normalise_items(requested: impl IntoIterator<Item = Item>) -> Vec<Item> {
    let mut items: Vec<Item> = requested.into_iter().collect();
    items.extend(Item::ALL.iter().copied().filter(|i| i.is_mandatory()));
    items.sort();
    items.dedup();
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        for d in Department::ALL {
            assert_eq!(d.as_str().parse::<Department>().unwrap(), *d);
        }
        assert_eq!("title_review".parse::<Item>().unwrap(), Item::TitleReview);
        let err = "visa".parse::<Item>().unwrap_err();
        assert_eq!(err.value, "visa");
    }

    #[test]
    fn serde_uses_the_wire_names() {
        assert_eq!(serde_json::to_string(&Department::ScienceTech).unwrap(), "\"science-tech\"");
        assert_eq!(serde_json::to_string(&Category::A).unwrap(), "\"A\"");
        assert_eq!(serde_json::to_string(&Sex::F).unwrap(), "\"F\"");
        assert_eq!(serde_json::from_str::<Category>("\"B\"").unwrap(), Category::B);
        assert_eq!(serde_json::from_str::<Item>("\"title_review\"").unwrap(), Item::TitleReview);
        assert!(serde_json::from_str::<Category>("\"b\"").is_err());
    }

    #[test]
    fn an_item_that_will_never_be_done_is_not_applicable_and_final() {
        assert_eq!(ItemStatus::try_from("not_applicable".to_string()), Ok(ItemStatus::NotApplicable));
        assert_eq!(ItemStatus::NotApplicable.as_ref(), "not_applicable");
        assert!(ItemStatus::NotApplicable.is_final());
        let finals: Vec<&str> = ItemStatus::ALL.iter().filter(|s| s.is_final()).map(|s| s.as_str()).collect();
        assert_eq!(finals, ["not_started", "refused", "completed", "cancelled", "not_applicable"]);
        let names: Vec<&str> = ItemStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            names,
            [
                "not_started",
                "pending",
                "in_review",
                "supplement_requested",
                "approved",
                "refused",
                "completed",
                "cancelled",
                "not_applicable"
            ],
            "the wire names are a public contract"
        );
    }

    #[test]
    fn timeline_events_keep_their_stored_names() {
        assert_eq!(TimelineEvent::SupplementRequested.as_str(), ItemStatus::SupplementRequested.as_str());
        assert_eq!(TimelineEvent::message_received(MessageKind::Consultation).as_str(), "consultation_received");
        assert_eq!(TimelineEvent::message_received(MessageKind::Complaint).as_str(), "complaint_received");
        assert_eq!("permit_review_started".parse::<TimelineEvent>(), Ok(TimelineEvent::PermitReviewStarted));
        assert!("permit-review-started".parse::<TimelineEvent>().is_err());
    }

    #[test]
    fn categories_route_to_their_department() {
        assert_eq!(Category::A.department(), Department::ScienceTech);
        assert_eq!(Category::B.department(), Department::ScienceTech);
        assert_eq!(Category::C.department(), Department::Hrss);
        assert_eq!(Item::ResidencePermit.department(Category::A), Department::PublicSecurity);
    }

    #[test]
    fn mandatory_items_are_always_in_the_bundle() {
        assert_eq!(
            normalise_items([Item::SocialInsurance, Item::SocialInsurance]),
            vec![Item::WorkPermit, Item::SocialInsurance, Item::ResidencePermit]
        );
    }
}
