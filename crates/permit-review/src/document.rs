//! The electronic work permit (电子工作许可证): a one-page PDF with the permit's data,
//! labels in Chinese and English, and the verification code that
//! `GET /api/v1/work-permits/verify/{code}` answers for.
//!
//! Every text is set in one embedded CJK font (WenQuanYi Zen Hei by default, Debian's
//! `fonts-wqy-zenhei`; `ONETHING__PERMIT_DOCUMENT__FONT_PATH`), subset to the glyphs the page
//! uses (a few dozen KB instead of the font's 16 MB) and written as a CID font with a
//! ToUnicode map, so the text can be copied and searched. The document metadata names the
//! permit number and the code (no personal data), which is what a machine looks for.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use serde::{Deserialize, Serialize};

/// `permit_document` settings of the permit-issuing services (science-tech, hrss).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct DocumentSettings {
    /// A TrueType font (or collection: its first face) with CJK glyphs.
    pub font_path: String,
}

impl Default for DocumentSettings {
    fn default() -> Self {
        Self { font_path: "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc".into() }
    }
}

/// The font the documents are set in, read once at start-up.
#[derive(Clone)]
pub struct DocumentFont {
    data: Arc<Vec<u8>>,
}

impl std::fmt::Debug for DocumentFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DocumentFont({} bytes)", self.data.len())
    }
}

/// Every character the fixed labels use must be in the font: checked when it is loaded,
/// so a font without CJK glyphs fails at start-up, not at the first download.
const PROBE: &str = "中华人民共和国外国人工作许可证验码 Work permit 0123456789";

impl DocumentFont {
    pub fn load(path: impl AsRef<Path>) -> anyhow::Result<DocumentFont> {
        let path = path.as_ref();
        let data = std::fs::read(path).with_context(|| format!("the permit document font {}", path.display()))?;
        let font = DocumentFont { data: Arc::new(data) };
        let face = font.face().with_context(|| format!("the permit document font {}", path.display()))?;
        if let Some(c) = PROBE.chars().find(|c| face.glyph_index(*c).is_none()) {
            anyhow::bail!("the permit document font {} has no glyph for {c:?}", path.display());
        }
        Ok(font)
    }

    fn face(&self) -> anyhow::Result<ttf_parser::Face<'_>> {
        Ok(ttf_parser::Face::parse(&self.data, 0)?)
    }
}

/// What the document shows. The holder's name and passport number are personal data:
/// every rendering is a read that the desk writes to its access log.
#[derive(Debug, Clone, Default)]
pub struct PermitDocument {
    pub holder: String,
    pub nationality: String,
    pub passport_number: String,
    pub permit_number: String,
    pub category: String,
    pub valid_from: String,
    pub valid_until: String,
    pub employer: String,
    pub position: String,
    pub issuer: String,
    pub issued_on: String,
    pub verification_code: String,
}

const PAGE: (f32, f32) = (595.0, 842.0); // A4 in points
const MARGIN: f32 = 56.0;

/// The page's lines: (font size, x, text), top to bottom.
fn lines(d: &PermitDocument) -> Vec<(f32, f32, String)> {
    let mut out = vec![
        (18.0, MARGIN, "中华人民共和国外国人工作许可（电子证照）".to_string()),
        (12.0, MARGIN, "Foreigner's Work Permit of the People's Republic of China (electronic)".to_string()),
        (8.0, MARGIN, String::new()),
    ];
    let rows: [(&str, &str, &str); 11] = [
        ("持证人", "Holder", &d.holder),
        ("国籍", "Nationality", &d.nationality),
        ("护照号码", "Passport number", &d.passport_number),
        ("许可证号", "Permit number", &d.permit_number),
        ("类别", "Category", &d.category),
        ("有效期自", "Valid from", &d.valid_from),
        ("有效期至", "Valid until", &d.valid_until),
        ("工作单位", "Employer", &d.employer),
        ("职位", "Position", &d.position),
        ("发证机关", "Issuing office", &d.issuer),
        ("签发日期", "Issued on", &d.issued_on),
    ];
    for (zh, en, value) in rows {
        out.push((9.0, MARGIN, format!("{zh} / {en}")));
        out.push((12.0, MARGIN + 12.0, value.to_string()));
    }
    out.push((8.0, MARGIN, String::new()));
    out.push((9.0, MARGIN, "验证码 / Verification code".to_string()));
    out.push((16.0, MARGIN + 12.0, d.verification_code.clone()));
    out.push((9.0, MARGIN, "核验：GET /api/v1/work-permits/verify/{验证码} 答复是否有效（不含个人信息）".to_string()));
    out.push((
        9.0,
        MARGIN,
        "Verify: GET /api/v1/work-permits/verify/{code} answers whether it is valid (no personal data)".to_string(),
    ));
    out
}

/// Renders the one-page PDF.
pub fn render(font: &DocumentFont, d: &PermitDocument) -> anyhow::Result<Vec<u8>> {
    let face = font.face()?;
    let per_em = f32::from(face.units_per_em());
    let lines: Vec<(f32, f32, String)> = lines(d)
        .into_iter()
        .flat_map(|(size, x, text)| {
            let width = PAGE.0 - MARGIN - x;
            wrap(&face, size, width, &text).into_iter().map(move |t| (size, x, t))
        })
        .collect();
    // The glyphs of every character on the page, renumbered for the subset (CID = new id).
    let mut remapper = subsetter::GlyphRemapper::new();
    let mut cids: BTreeMap<u16, (char, u16)> = BTreeMap::new(); // new id → (char, old id)
    let mut encoded: Vec<Vec<u8>> = Vec::with_capacity(lines.len());
    for (_, _, text) in &lines {
        let mut bytes = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            // A character the font lacks (an unusual name) shows as the font's missing glyph.
            let old = face.glyph_index(c).map(|g| g.0).unwrap_or(0);
            let new = remapper.remap(old);
            cids.entry(new).or_insert((c, old));
            bytes.extend_from_slice(&new.to_be_bytes());
        }
        encoded.push(bytes);
    }
    let subset = subsetter::subset(&font.data, 0, &remapper).map_err(|e| anyhow::anyhow!("font subset: {e:?}"))?;
    let scale = |v: f32| v * 1000.0 / per_em;

    let ids = Ids::new();
    let mut pdf = Pdf::new();
    pdf.catalog(ids.catalog).pages(ids.pages);
    pdf.pages(ids.pages).kids([ids.page]).count(1);
    let mut page = pdf.page(ids.page);
    page.media_box(Rect::new(0.0, 0.0, PAGE.0, PAGE.1)).parent(ids.pages).contents(ids.content);
    page.resources().fonts().pair(Name(b"F1"), ids.font);
    page.finish();

    const BASE: Name = Name(b"ONETHG+WenQuanYiZenHei");
    let system = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };
    pdf.type0_font(ids.font)
        .base_font(BASE)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(ids.cid_font)
        .to_unicode(ids.cmap);
    let mut cid = pdf.cid_font(ids.cid_font);
    cid.subtype(CidFontType::Type2)
        .base_font(BASE)
        .system_info(system)
        .font_descriptor(ids.descriptor)
        .default_width(1000.0)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    {
        let mut widths = cid.widths();
        for (new, (_, old)) in &cids {
            let advance = face.glyph_hor_advance(ttf_parser::GlyphId(*old)).unwrap_or(0);
            widths.consecutive(*new, [scale(f32::from(advance))]);
        }
    }
    cid.finish();
    let bbox = face.global_bounding_box();
    pdf.font_descriptor(ids.descriptor)
        .name(BASE)
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(
            scale(f32::from(bbox.x_min)),
            scale(f32::from(bbox.y_min)),
            scale(f32::from(bbox.x_max)),
            scale(f32::from(bbox.y_max)),
        ))
        .italic_angle(0.0)
        .ascent(scale(f32::from(face.ascender())))
        .descent(scale(f32::from(face.descender())))
        .cap_height(scale(f32::from(face.capital_height().unwrap_or(face.ascender()))))
        .stem_v(80.0)
        .font_file2(ids.font_file);
    pdf.stream(ids.font_file, &subset).pair(Name(b"Length1"), subset.len() as i32);

    let mut cmap = UnicodeCmap::new(Name(b"Onething-UTF16"), system);
    for (new, (c, _)) in &cids {
        cmap.pair(*new, *c);
    }
    pdf.cmap(ids.cmap, &cmap.finish());

    let mut content = Content::new();
    let mut y = PAGE.1 - MARGIN;
    for ((size, x, _), bytes) in lines.iter().zip(&encoded) {
        y -= size * 1.5;
        if bytes.is_empty() {
            continue;
        }
        content.begin_text().set_font(Name(b"F1"), *size).next_line(*x, y).show(Str(bytes)).end_text();
    }
    pdf.stream(ids.content, &content.finish());

    // Plain ASCII, no personal data: what a scanner or a test reads without a PDF parser.
    pdf.document_info(ids.info)
        .title(TextStr("Work permit / 工作许可"))
        .subject(TextStr(&format!("Work permit {}; verification code {}", d.permit_number, d.verification_code)))
        .producer(TextStr("Onething"));
    Ok(pdf.finish())
}

/// `text` in lines no wider than `width` points at `size`: broken at spaces, and within a
/// word only when the word alone is too wide (Chinese has no spaces).
fn wrap(face: &ttf_parser::Face<'_>, size: f32, width: f32, text: &str) -> Vec<String> {
    let per_em = f32::from(face.units_per_em());
    let advance = |c: char| {
        let gid = face.glyph_index(c).unwrap_or_default();
        f32::from(face.glyph_hor_advance(gid).unwrap_or(0)) * size / per_em
    };
    let mut lines = vec![String::new()];
    let mut used = 0.0;
    for (i, word) in text.split(' ').enumerate() {
        let space = if i == 0 { 0.0 } else { advance(' ') };
        let word_width: f32 = word.chars().map(advance).sum();
        if used > 0.0 && used + space + word_width > width {
            lines.push(String::new());
            used = 0.0;
        } else if i > 0 {
            lines.last_mut().unwrap_or(&mut String::new()).push(' ');
            used += space;
        }
        for c in word.chars() {
            let w = advance(c);
            if used > 0.0 && used + w > width {
                lines.push(String::new());
                used = 0.0;
            }
            if let Some(line) = lines.last_mut() {
                line.push(c);
            }
            used += w;
        }
    }
    lines
}

struct Ids {
    catalog: Ref,
    pages: Ref,
    page: Ref,
    content: Ref,
    font: Ref,
    cid_font: Ref,
    descriptor: Ref,
    font_file: Ref,
    cmap: Ref,
    info: Ref,
}

impl Ids {
    fn new() -> Ids {
        let r = Ref::new;
        Ids {
            catalog: r(1),
            pages: r(2),
            page: r(3),
            content: r(4),
            font: r(5),
            cid_font: r(6),
            descriptor: r(7),
            font_file: r(8),
            cmap: r(9),
            info: r(10),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> PermitDocument {
        PermitDocument {
            holder: "SMITH JOHN".into(),
            nationality: "GBR".into(),
            passport_number: "E12345678".into(),
            permit_number: "62B202600000042".into(),
            category: "B".into(),
            valid_from: "2027-01-04".into(),
            valid_until: "2029-01-03".into(),
            employer: "兰州示例有限公司 Lanzhou Example Co., Ltd.".into(),
            position: "Senior engineer".into(),
            issuer: "Lanzhou Municipal Bureau of Science and Technology (delegated by the Gansu Provincial Department of Science and Technology)".into(),
            issued_on: "2026-12-04".into(),
            verification_code: "7KQ2M9XW4HT6RB3CJP8D".into(),
        }
    }

    /// Needs the machine's CJK font (scripts/tools.sh installs it).
    #[test]
    fn the_document_embeds_a_subset_of_the_cjk_font_and_names_the_permit_and_code() {
        let font = DocumentFont::load(DocumentSettings::default().font_path).expect("the default CJK font");
        let pdf = render(&font, &sample()).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("62B202600000042") && text.contains("7KQ2M9XW4HT6RB3CJP8D"));
        assert!(text.contains("/FontFile2") && text.contains("/ToUnicode"));
        // A subset, not the 16 MB collection.
        assert!(pdf.len() < 400_000, "{} bytes", pdf.len());
        // No personal data in the metadata.
        let info = &text[text.find("/Subject").unwrap()..];
        assert!(!info[..200.min(info.len())].contains("SMITH"));
    }

    #[test]
    fn long_values_wrap_within_the_page_at_spaces_or_else_between_characters() {
        let font = DocumentFont::load(DocumentSettings::default().font_path).expect("the default CJK font");
        let face = font.face().unwrap();
        let issuer = "Lanzhou Municipal Bureau of Science and Technology (delegated by the Gansu Provincial \
                      Department of Science and Technology)";
        let lines = wrap(&face, 12.0, 300.0, issuer);
        assert!(lines.len() >= 2, "{lines:?}");
        assert_eq!(lines.join(" "), issuer);
        let chinese = wrap(&face, 12.0, 60.0, "兰州市科学技术局受甘肃省科学技术厅委托");
        assert!(chinese.len() >= 3 && chinese.iter().all(|l| l.chars().count() <= 5), "{chinese:?}");
        assert_eq!(wrap(&face, 12.0, 300.0, ""), [""]);
    }

    #[test]
    fn a_font_without_the_labels_glyphs_or_no_font_is_refused() {
        assert!(DocumentFont::load("/nonexistent/font.ttf").is_err());
        let not_a_font = std::env::temp_dir().join("onething-not-a-font.ttf");
        std::fs::write(&not_a_font, b"not a font").unwrap();
        assert!(DocumentFont::load(&not_a_font).is_err());
    }
}
