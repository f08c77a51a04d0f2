//! The fixed vocabulary of the DCAT rendering: the JSON-LD `@context`, and the mappings
//! from the ledger's words to EU Publications Office authority IRIs (access rights, data
//! themes, countries) that DCAT-AP asks for.

use serde_json::{json, Value};

/// The `@context`: prefixes only, so the document is JSON-LD 1.1 that needs no remote
/// context (values carry their own `@id` / `@type`).
pub(crate) fn context() -> Value {
    json!({
        "adms": "http://www.w3.org/ns/adms#",
        "dcat": "http://www.w3.org/ns/dcat#",
        "dct": "http://purl.org/dc/terms/",
        "foaf": "http://xmlns.com/foaf/0.1/",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "spdx": "http://spdx.org/rdf/terms#",
        "vcard": "http://www.w3.org/2006/vcard/ns#",
        "xsd": "http://www.w3.org/2001/XMLSchema#"
    })
}

const ACCESS_RIGHT: &str = "http://publications.europa.eu/resource/authority/access-right/";
/// The EU data-theme scheme (the catalogue's `dcat:themeTaxonomy`).
pub(crate) const THEMES: &str = "http://publications.europa.eu/resource/authority/data-theme";
const DATA_THEME: &str = "http://publications.europa.eu/resource/authority/data-theme/";
const COUNTRY: &str = "http://publications.europa.eu/resource/authority/country/";

/// The EU access-right authority IRI of a sharing class: unconditional -> PUBLIC,
/// conditional -> RESTRICTED, not-shared -> NON_PUBLIC.
pub(crate) fn access_right(sharing: &str) -> Option<String> {
    let code = match sharing {
        "unconditional" => "PUBLIC",
        "conditional" => "RESTRICTED",
        "not-shared" => "NON_PUBLIC",
        _ => return None,
    };
    Some(format!("{ACCESS_RIGHT}{code}"))
}

/// The EU data-theme IRI and English label of a sector code, when it has one.
pub(crate) fn theme(sector: &str) -> Option<(String, &'static str)> {
    let (code, label) = match sector {
        "agriculture" | "fisheries" | "forestry" | "food" => {
            ("AGRI", "Agriculture, fisheries, forestry and food")
        }
        "economy" | "finance" | "commerce" | "trade" => ("ECON", "Economy and finance"),
        "education" | "culture" | "sport" => ("EDUC", "Education, culture and sport"),
        "energy" => ("ENER", "Energy"),
        "environment" => ("ENVI", "Environment"),
        "government" | "public-sector" => ("GOVE", "Government and public sector"),
        "health" | "medical" => ("HEAL", "Health"),
        "international" => ("INTR", "International issues"),
        "justice" | "legal" | "public-safety" => {
            ("JUST", "Justice, legal system and public safety")
        }
        "regions" | "cities" => ("REGI", "Regions and cities"),
        "population" | "society" => ("SOCI", "Population and society"),
        "science" | "technology" => ("TECH", "Science and technology"),
        "transport" | "logistics" => ("TRAN", "Transport"),
        _ => return None,
    };
    Some((format!("{DATA_THEME}{code}"), label))
}

/// The EU country authority IRI of a jurisdiction's country part ("CN-GX" -> CHN).
pub(crate) fn country(jurisdiction: &str) -> Option<String> {
    let alpha2 = jurisdiction.split('-').next()?;
    if alpha2.len() != 2 || !alpha2.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    COUNTRIES
        .iter()
        .flat_map(|line| line.split(' '))
        .find(|pair| pair.len() == 5 && pair.starts_with(alpha2))
        .map(|pair| format!("{COUNTRY}{}", &pair[2..]))
}

/// ISO 3166-1 alpha-2 code followed by its alpha-3 code (which the EU country authority
/// uses), from Debian's iso-codes.
const COUNTRIES: &[&str] = &[
    "ADAND AEARE AFAFG AGATG AIAIA ALALB AMARM AOAGO AQATA ARARG ASASM ATAUT AUAUS AWABW ",
    "AXALA AZAZE BABIH BBBRB BDBGD BEBEL BFBFA BGBGR BHBHR BIBDI BJBEN BLBLM BMBMU BNBRN ",
    "BOBOL BQBES BRBRA BSBHS BTBTN BVBVT BWBWA BYBLR BZBLZ CACAN CCCCK CDCOD CFCAF CGCOG ",
    "CHCHE CICIV CKCOK CLCHL CMCMR CNCHN COCOL CRCRI CUCUB CVCPV CWCUW CXCXR CYCYP CZCZE ",
    "DEDEU DJDJI DKDNK DMDMA DODOM DZDZA ECECU EEEST EGEGY EHESH ERERI ESESP ETETH FIFIN ",
    "FJFJI FKFLK FMFSM FOFRO FRFRA GAGAB GBGBR GDGRD GEGEO GFGUF GGGGY GHGHA GIGIB GLGRL ",
    "GMGMB GNGIN GPGLP GQGNQ GRGRC GSSGS GTGTM GUGUM GWGNB GYGUY HKHKG HMHMD HNHND HRHRV ",
    "HTHTI HUHUN IDIDN IEIRL ILISR IMIMN ININD IOIOT IQIRQ IRIRN ISISL ITITA JEJEY JMJAM ",
    "JOJOR JPJPN KEKEN KGKGZ KHKHM KIKIR KMCOM KNKNA KPPRK KRKOR KWKWT KYCYM KZKAZ LALAO ",
    "LBLBN LCLCA LILIE LKLKA LRLBR LSLSO LTLTU LULUX LVLVA LYLBY MAMAR MCMCO MDMDA MEMNE ",
    "MFMAF MGMDG MHMHL MKMKD MLMLI MMMMR MNMNG MOMAC MPMNP MQMTQ MRMRT MSMSR MTMLT MUMUS ",
    "MVMDV MWMWI MXMEX MYMYS MZMOZ NANAM NCNCL NENER NFNFK NGNGA NINIC NLNLD NONOR NPNPL ",
    "NRNRU NUNIU NZNZL OMOMN PAPAN PEPER PFPYF PGPNG PHPHL PKPAK PLPOL PMSPM PNPCN PRPRI ",
    "PSPSE PTPRT PWPLW PYPRY QAQAT REREU ROROU RSSRB RURUS RWRWA SASAU SBSLB SCSYC SDSDN ",
    "SESWE SGSGP SHSHN SISVN SJSJM SKSVK SLSLE SMSMR SNSEN SOSOM SRSUR SSSSD STSTP SVSLV ",
    "SXSXM SYSYR SZSWZ TCTCA TDTCD TFATF TGTGO THTHA TJTJK TKTKL TLTLS TMTKM TNTUN TOTON ",
    "TRTUR TTTTO TVTUV TWTWN TZTZA UAUKR UGUGA UMUMI USUSA UYURY UZUZB VAVAT VCVCT VEVEN ",
    "VGVGB VIVIR VNVNM VUVUT WFWLF WSWSM YEYEM YTMYT ZAZAF ZMZMB ZWZWE ",
];

/// What each delivery mode gives a grantee, for the distribution's description.
pub(crate) fn delivery_description(mode: &str) -> &'static str {
    match mode {
        "download" => "A copy of the data, delivered by the holder under an access grant.",
        "query" => {
            "Queries answered over the data under an access grant; the data stays with the holder."
        }
        "compute" => "Computation run where the data is; only results leave the holder.",
        "verify" => "Verification of a claim against the data (e.g. a fingerprint or a record).",
        _ => "A delivery mode of the holder.",
    }
}

/// `s` with every character outside the IRI-unreserved set percent-encoded (UTF-8).
pub fn iri_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mappings() {
        assert_eq!(
            country("CN-GX").as_deref(),
            Some("http://publications.europa.eu/resource/authority/country/CHN")
        );
        assert_eq!(
            country("VN").as_deref(),
            Some("http://publications.europa.eu/resource/authority/country/VNM")
        );
        assert_eq!(country("ZZ"), None);
        assert_eq!(country("cn"), None);
        assert_eq!(
            access_right("not-shared").as_deref(),
            Some("http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC")
        );
        assert_eq!(iri_segment("CN-GX 南"), "CN-GX%20%E5%8D%97");
    }
}
