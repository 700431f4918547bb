#pragma once

// The statement lives with the evidence a receipt carries (audit::Receipt verifies it offline);
// approvals and its callers keep their name for it.
#include "evidence/decisionstatement.h"

namespace countersign::approvals {

using DecisionStatement = audit::DecisionStatement;

} // namespace countersign::approvals
