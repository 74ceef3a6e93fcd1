//! What the partner set through the partner routes: its API client's
//! domain and where its notifications go.

use crate::model::ApiNotificationType;
use std::collections::BTreeMap;

/// Where notifications go: `None` as organization is the partner's main
/// URL; `None` as type, every kind of notification.
#[derive(Debug, Default)]
pub(crate) struct Partner {
    pub domain: Option<String>,
    pub urls: BTreeMap<(Option<u8>, Option<ApiNotificationType>), String>,
}
