//! The application: what every use case needs, loaded once from the store.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use motcua_domain::calendar::{Calendar, OfficeHours};
use motcua_domain::catalog::Level;
use motcua_domain::ids::UnitCode;
use motcua_domain::org::{Unit, UnitKind};
use motcua_store::Store;

use crate::clock;

/// The application: what every use case needs (store, calendars, clock, keys).
#[derive(Clone)]
pub struct Application {
    pub store: Store,
    pub calendars: Arc<Calendars>,
    /// Code of the provincial one-stop center (receives province-level online dossiers).
    pub province_center: UnitCode,
    /// The key outgoing edXML packages are signed with (XML-DSig), when the system has one.
    pub signing_key: Option<Arc<motcua_edxml::dsig::SigningKey>>,
    /// Where "now" comes from (the system's clock, or a test's).
    pub clock: Arc<dyn clock::Clock>,
    /// The online payment platform, when one is configured.
    pub payments: Option<Arc<crate::payments::Payments>>,
    /// The units' keys electronic results are signed with (issue 16 item 4).
    pub result_keys: Arc<crate::results::ResultKeys>,
}

/// The default center's calendar and one per unit with its own office hours. Rebuilt when an
/// administrator adds a yearly announcement or changes office hours.
pub struct Calendars {
    inner: RwLock<CalendarSet>,
}

/// The default calendar and the per-unit ones.
type CalendarSet = (Arc<Calendar>, HashMap<String, Arc<Calendar>>);

impl Calendars {
    /// Builds the calendars from the shipped announcements, the stored ones and each unit's
    /// office hours.
    pub fn build(stored: Vec<motcua_domain::calendar::Announcement>, units: &[Unit]) -> Calendars {
        let c = Calendars { inner: RwLock::new((Arc::new(Calendar::vietnam_default()), HashMap::new())) };
        c.rebuild(stored, units);
        c
    }

    /// Replaces all calendars.
    pub fn rebuild(&self, stored: Vec<motcua_domain::calendar::Announcement>, units: &[Unit]) {
        // Stored announcements come after the shipped ones, so they replace them year by year.
        let mut all = motcua_domain::calendar::shipped_announcements().to_vec();
        all.extend(stored);
        let base = Calendar::new(OfficeHours::default(), all);
        let per_unit = units
            .iter()
            .filter_map(|u| match OfficeHours::parse(u.office_hours.as_deref()?) {
                Ok(hours) => Some((u.code.to_string(), Arc::new(base.with_hours(hours)))),
                Err(e) => {
                    tracing::warn!(unit = %u.code, error = %e, "invalid office hours; this unit uses the default calendar");
                    None
                }
            })
            .collect();
        if let Ok(mut g) = self.inner.write() {
            *g = (Arc::new(base), per_unit);
        }
    }

    /// The calendar of `unit`, or the default center's.
    pub fn get(&self, unit: Option<&str>) -> Arc<Calendar> {
        match self.inner.read() {
            Ok(g) => unit.and_then(|u| g.1.get(u)).unwrap_or(&g.0).clone(),
            Err(_) => Arc::new(Calendar::vietnam_default()),
        }
    }
}

impl Application {
    /// Loads what handlers need from the store.
    pub async fn load(store: Store) -> Result<Application, motcua_store::StoreError> {
        let units = store.units().await?;
        let province_center = units
            .iter()
            .find(|u| u.kind == UnitKind::Center && u.level == Level::Province && u.is_current())
            .map(|u| u.code.clone())
            .unwrap_or_default();
        let calendars = Arc::new(Calendars::build(store.announcements().await?, &units));
        Ok(Application {
            store,
            calendars,
            province_center,
            signing_key: None,
            clock: Arc::new(clock::SystemClock),
            payments: None,
            // Until the adapter names the key directory (`motcua serve`/`demo` always do): keys
            // of this process only. Their public halves are kept in the database when they
            // sign, so what they signed stays verifiable.
            result_keys: Arc::new(crate::results::ResultKeys::in_dir(
                std::env::temp_dir().join(format!("motcua-result-keys-{}", crate::auth::new_secret())),
            )),
        })
    }

    /// The same state, reading the time from `clock`.
    pub fn with_clock(mut self, clock: Arc<dyn clock::Clock>) -> Application {
        self.clock = clock;
        self
    }

    /// The current instant, truncated to whole seconds (what is stored).
    pub fn now(&self) -> time::OffsetDateTime {
        clock::whole_seconds(self.clock.now())
    }

    /// Today's date in Vietnam (UTC+7) by the application's clock.
    pub fn today(&self) -> time::Date {
        motcua_store::date_vn(self.now())
    }

    /// The same state, signing outgoing edXML packages with `key`.
    pub fn with_signing_key(mut self, key: motcua_edxml::dsig::SigningKey) -> Application {
        self.signing_key = Some(Arc::new(key));
        self
    }

    /// The same state, signing electronic results with the keys in `keys`.
    pub fn with_result_keys(mut self, keys: crate::results::ResultKeys) -> Application {
        self.result_keys = Arc::new(keys);
        self
    }

    /// The same state, taking payments online through `payments`.
    pub fn with_payments(mut self, payments: crate::payments::Payments) -> Application {
        self.payments = Some(Arc::new(payments));
        self
    }

    /// Re-reads announcements and units into the calendars.
    pub async fn reload_calendars(&self) -> Result<(), motcua_store::StoreError> {
        let units = self.store.units().await?;
        self.calendars.rebuild(self.store.announcements().await?, &units);
        Ok(())
    }
}
