//! Validation rules applied at every edge (JS calls, remote documents) before a value is written or drawn.

/// A number that the scene cannot hold. `what` names the parameter, so the message a JS caller sees
/// names the problem ("radius must be > 0, got -1").
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValueError {
    /// NaN or an infinity.
    #[error("{what} must be a finite number, got {value}")]
    NonFinite {
        /// The parameter's name.
        what: &'static str,
        /// The rejected value.
        value: f64,
    },
    /// A size, radius or extent that is zero or negative.
    #[error("{what} must be > 0, got {value}")]
    NotPositive {
        /// The parameter's name.
        what: &'static str,
        /// The rejected value.
        value: f64,
    },
    /// A time step or other quantity that cannot be negative.
    #[error("{what} must be >= 0, got {value}")]
    Negative {
        /// The parameter's name.
        what: &'static str,
        /// The rejected value.
        value: f64,
    },
    /// A coordinate, size or scale outside the engine's world limits ([`WORLD_LIMIT`], [`MIN_SIZE`]).
    #[error("{what} must be within {min}..{max}, got {value}")]
    OutOfRange {
        /// The parameter's name.
        what: &'static str,
        /// The rejected value.
        value: f64,
        /// The smallest accepted value.
        min: f64,
        /// The largest accepted value.
        max: f64,
    },
    /// A color channel, metallic or roughness outside 0..=1.
    #[error("{what} must be within 0..1, got {value}")]
    OutOfUnitRange {
        /// The parameter's name.
        what: &'static str,
        /// The rejected value.
        value: f64,
    },
}

/// The largest coordinate, size or scale factor the scene accepts (1e6 units). An f32 keeps about seven
/// significant digits, so at 1e6 a position still resolves to 0.1 unit; far beyond it bounds, picking,
/// shadow frusta and squared lengths lose all precision or overflow (a 1e30 scale squared is infinite
/// in f32). Values from JS calls beyond it are errors; values from a peer's document are reported and
/// replaced, like NaN.
pub const WORLD_LIMIT: f64 = 1e6;

/// The smallest size or scale factor the scene accepts: below it the mesh degenerates and normals
/// (the inverse transpose) overflow.
pub const MIN_SIZE: f64 = 1e-6;

/// `value` if it is finite.
pub fn check_finite(what: &'static str, value: f64) -> Result<f32, ValueError> {
    // A finite f64 beyond f32's range would become an infinity once stored as f32.
    if value.is_finite() && value.abs() <= f64::from(f32::MAX) {
        Ok(value as f32)
    } else {
        Err(ValueError::NonFinite { what, value })
    }
}

/// `value` if it is finite and > 0.
pub fn check_positive(what: &'static str, value: f64) -> Result<f32, ValueError> {
    let v = check_finite(what, value)?;
    if v > 0.0 {
        Ok(v)
    } else {
        Err(ValueError::NotPositive { what, value })
    }
}

/// `value` if it is a finite coordinate within ±[`WORLD_LIMIT`].
pub fn check_coordinate(what: &'static str, value: f64) -> Result<f32, ValueError> {
    let v = check_finite(what, value)?;
    if value.abs() <= WORLD_LIMIT {
        Ok(v)
    } else {
        Err(ValueError::OutOfRange {
            what,
            value,
            min: -WORLD_LIMIT,
            max: WORLD_LIMIT,
        })
    }
}

/// `value` if it is a size or scale factor within [`MIN_SIZE`]..=[`WORLD_LIMIT`].
pub fn check_size(what: &'static str, value: f64) -> Result<f32, ValueError> {
    let v = check_positive(what, value)?;
    if (MIN_SIZE..=WORLD_LIMIT).contains(&value) {
        Ok(v)
    } else {
        Err(ValueError::OutOfRange {
            what,
            value,
            min: MIN_SIZE,
            max: WORLD_LIMIT,
        })
    }
}

/// `value` if it is finite and >= 0.
pub fn check_non_negative(what: &'static str, value: f64) -> Result<f32, ValueError> {
    let v = check_finite(what, value)?;
    if v >= 0.0 {
        Ok(v)
    } else {
        Err(ValueError::Negative { what, value })
    }
}

/// The largest emissive channel the scene accepts: emissive is HDR radiance (linear, before the
/// renderer's tone mapping), so it may exceed 1; the bound keeps it far from f32 overflow once
/// lights and exposure multiply it.
pub const MAX_EMISSIVE: f64 = 1e6;

/// `value` if it is a finite emissive channel within 0..=[`MAX_EMISSIVE`].
pub fn check_emissive(what: &'static str, value: f64) -> Result<f32, ValueError> {
    let v = check_finite(what, value)?;
    if value < 0.0 {
        Err(ValueError::Negative { what, value })
    } else if value > MAX_EMISSIVE {
        Err(ValueError::OutOfRange {
            what,
            value,
            min: 0.0,
            max: MAX_EMISSIVE,
        })
    } else {
        Ok(v)
    }
}

/// `value` if it is finite and within 0..=1.
pub fn check_unit(what: &'static str, value: f64) -> Result<f32, ValueError> {
    let v = check_finite(what, value)?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(ValueError::OutOfUnitRange { what, value })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn world_limits_bound_coordinates_and_sizes() {
        assert_eq!(check_coordinate("x", -1e6), Ok(-1e6));
        let err = check_coordinate("x", 1e30).unwrap_err();
        assert_eq!(
            err.to_string(),
            "x must be within -1000000..1000000, got 1000000000000000000000000000000"
        );
        assert!(matches!(
            check_coordinate("x", f64::INFINITY),
            Err(ValueError::NonFinite { .. })
        ));
        assert_eq!(check_size("radius", 1e6), Ok(1e6));
        assert!(matches!(
            check_size("radius", 1e30),
            Err(ValueError::OutOfRange { .. })
        ));
        assert!(matches!(
            check_size("radius", 1e-9),
            Err(ValueError::OutOfRange { .. })
        ));
        assert!(matches!(
            check_size("radius", 0.0),
            Err(ValueError::NotPositive { .. })
        ));
    }

    #[test]
    fn each_rule_accepts_and_rejects() {
        assert_eq!(check_finite("x", 1.5), Ok(1.5));
        assert!(matches!(
            check_finite("x", f64::NAN),
            Err(ValueError::NonFinite { .. })
        ));
        assert!(matches!(
            check_finite("x", 1e300),
            Err(ValueError::NonFinite { .. })
        ));
        assert_eq!(check_positive("radius", 2.0), Ok(2.0));
        let err = check_positive("radius", -1.0).unwrap_err();
        assert_eq!(err.to_string(), "radius must be > 0, got -1");
        assert!(matches!(
            check_positive("radius", 0.0),
            Err(ValueError::NotPositive { .. })
        ));
        assert!(matches!(
            check_positive("radius", f64::INFINITY),
            Err(ValueError::NonFinite { .. })
        ));
        assert_eq!(check_non_negative("dt", 0.0), Ok(0.0));
        assert_eq!(
            check_non_negative("dt", -0.5).unwrap_err().to_string(),
            "dt must be >= 0, got -0.5"
        );
        assert_eq!(check_unit("red", 1.0), Ok(1.0));
        assert!(matches!(
            check_unit("red", 1.01),
            Err(ValueError::OutOfUnitRange { .. })
        ));
        assert!(matches!(
            check_unit("red", -0.01),
            Err(ValueError::OutOfUnitRange { .. })
        ));
    }

    #[test]
    fn emissive_is_hdr_up_to_a_bound() {
        assert_eq!(check_emissive("emissive.red", 0.0), Ok(0.0));
        assert_eq!(check_emissive("emissive.red", 25.5), Ok(25.5));
        assert_eq!(check_emissive("emissive.red", 1e6), Ok(1e6));
        assert_eq!(
            check_emissive("emissive.green", -0.5)
                .unwrap_err()
                .to_string(),
            "emissive.green must be >= 0, got -0.5"
        );
        assert_eq!(
            check_emissive("emissive.blue", 2e6)
                .unwrap_err()
                .to_string(),
            "emissive.blue must be within 0..1000000, got 2000000"
        );
        assert!(matches!(
            check_emissive("emissive.red", f64::NAN),
            Err(ValueError::NonFinite { .. })
        ));
        assert!(matches!(
            check_emissive("emissive.red", f64::INFINITY),
            Err(ValueError::NonFinite { .. })
        ));
    }
}
