/// An NHS number: 10 digits whose last is a Modulus 11 check digit.
///
/// Weights 10..2 over the first nine digits; check = 11 - (sum mod 11), where 11 becomes 0
/// and 10 means the number is invalid. Stored as 10 digits; shown as `NNN NNN NNNN`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NhsNumber(String);

impl NhsNumber {
    pub fn parse(raw: &str) -> Result<NhsNumber, &'static str> {
        let digits: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err("must be 10 digits");
        }
        let values: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
        let sum: u32 = values[..9]
            .iter()
            .zip((2..=10).rev())
            .map(|(d, w)| d * w)
            .sum();
        let check = match 11 - (sum % 11) {
            11 => 0,
            10 => return Err("is not a valid NHS number (check digit)"),
            c => c,
        };
        if check != values[9] {
            return Err("is not a valid NHS number (check digit)");
        }
        Ok(NhsNumber(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `NNN NNN NNNN`, as people are used to reading it.
    pub fn formatted(&self) -> String {
        format!("{} {} {}", &self.0[..3], &self.0[3..6], &self.0[6..])
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nhs_numbers_are_checked_with_modulus_11() {
        let cases: &[(&str, Option<&str>)] = &[
            ("9434765919", Some("9434765919")),
            ("943 476 5919", Some("9434765919")),
            (" 943 476 5919 ", Some("9434765919")),
            ("4010232137", Some("4010232137")),
            ("9990000018", Some("9990000018")),
            ("9434765918", None),  // wrong check digit
            ("943476591", None),   // nine digits
            ("94347659190", None), // eleven digits
            ("943476591X", None),
            ("", None),
            // sum gives remainder 1, so check would be 10: never valid
            ("1000000010", None),
            ("1000000019", None),
        ];
        for (raw, expected) in cases {
            let got = NhsNumber::parse(raw).ok().map(NhsNumber::into_inner);
            assert_eq!(got.as_deref(), *expected, "input {raw:?}");
        }
        assert_eq!(
            NhsNumber::parse("9434765919").unwrap().formatted(),
            "943 476 5919"
        );
    }
}
