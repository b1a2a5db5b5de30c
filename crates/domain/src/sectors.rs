//! Sectors whose posts need the approval of the sector's competent authority before the
//! work permit (受理条件: 行业主管部门前置审批), as data (`data/sectors.json`) with sources.
//!
//! [`Sector`] is the closed list of codes `position.sector` may take; the data file holds
//! each one's names, authority, legal basis and sources, and is checked against the enum.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::case::wire_enum;
use crate::data::{Confidence, DataError, Sourced};

const SECTORS_JSON: &str = include_str!("../data/sectors.json");

wire_enum!(
    /// A sector whose posts need a sector pre-approval (`position.sector`).
    Sector {
        Education => "education",
        MedicalPractice => "medical_practice",
        Broadcasting => "broadcasting",
        LegalServices => "legal_services",
    }
);

/// One sector of the data file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SectorInfo {
    pub code: Sector,
    pub name_zh: String,
    pub name_en: String,
    pub authority_zh: String,
    pub authority_en: String,
    /// The rule that requires the approval, in Chinese.
    pub basis: String,
    pub confidence: Confidence,
    pub sources: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A field considered and not listed, with why.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct NotListed {
    pub name: String,
    pub confidence: Confidence,
    pub note: String,
}

/// The sector data: the general condition and every listed sector.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Sectors {
    pub condition: Sourced<String>,
    pub sectors: Vec<SectorInfo>,
    #[serde(default)]
    pub not_listed: Vec<NotListed>,
}

impl Sectors {
    /// The embedded `data/sectors.json`.
    pub fn embedded() -> &'static Sectors {
        static SECTORS: OnceLock<Sectors> = OnceLock::new();
        // The embedded file is checked by the tests of this module.
        SECTORS.get_or_init(|| Sectors::from_json(SECTORS_JSON).expect("embedded data/sectors.json is valid"))
    }

    /// Parses the file and checks that it describes every [`Sector`] exactly once, with a source.
    pub fn from_json(json: &str) -> Result<Sectors, DataError> {
        const FILE: &str = "sectors";
        let s: Sectors = serde_json::from_str(json).map_err(|e| DataError::json(FILE, e))?;
        for sector in Sector::ALL {
            if s.sectors.iter().filter(|i| i.code == *sector).count() != 1 {
                return Err(DataError::invalid(FILE, format!("sector {sector} must be described exactly once")));
            }
        }
        if let Some(i) = s.sectors.iter().find(|i| i.sources.is_empty()) {
            return Err(DataError::invalid(FILE, format!("sector {} has no source", i.code)));
        }
        Ok(s)
    }

    pub fn info(&self, sector: Sector) -> Option<&SectorInfo> {
        self.sectors.iter().find(|i| i.code == sector)
    }
}

impl Sector {
    /// Its entry in the embedded data.
    pub fn info(self) -> &'static SectorInfo {
        // `from_json` refuses a file that misses a sector.
        Sectors::embedded().info(self).expect("every sector is described")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_file_describes_every_sector_with_sources() {
        let s = Sectors::from_json(SECTORS_JSON).unwrap();
        assert_eq!(s.sectors.len(), Sector::ALL.len());
        assert_eq!(s.condition.confidence, Confidence::Confirmed);
        for sector in Sector::ALL {
            let info = sector.info();
            assert!(!info.sources.is_empty() && !info.basis.is_empty(), "{sector}");
        }
        assert_eq!(
            Sector::MedicalPractice.info().name_en,
            "Medical practice (foreign doctors diagnosing and treating patients)"
        );
        assert!(s.not_listed.iter().any(|n| n.confidence == Confidence::NotFound));
    }

    #[test]
    fn a_file_missing_a_sector_or_a_source_is_refused() {
        let mut v: serde_json::Value = serde_json::from_str(SECTORS_JSON).unwrap();
        v["sectors"].as_array_mut().unwrap().pop();
        assert!(matches!(Sectors::from_json(&v.to_string()), Err(DataError::Invalid { .. })));
        let mut v: serde_json::Value = serde_json::from_str(SECTORS_JSON).unwrap();
        v["sectors"][0]["sources"] = serde_json::json!([]);
        assert!(matches!(Sectors::from_json(&v.to_string()), Err(DataError::Invalid { .. })));
        assert!("news".parse::<Sector>().is_err());
    }
}
