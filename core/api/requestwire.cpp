#include "requestwire.h"

#include "policy/risk.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace countersign::api {

QJsonObject RequestWire::request(const approvals::Request& request)
{
    using approvals::isoTime;
    QJsonArray decisions;
    for (const approvals::Decision& decision : request.decisions)
        decisions.append(decision.toJson());
    const bool approved = request.state == approvals::RequestState::Approved;
    QJsonObject json{
        {QStringLiteral("id"), request.id},
        {QStringLiteral("runtime"), request.runtimeName},
        {QStringLiteral("capability"), request.capability},
        {QStringLiteral("summary"), request.summary},
        {QStringLiteral("details"), request.details},
        {QStringLiteral("payload"), QJsonDocument::fromJson('[' + request.payload + ']').array().at(0)},
        {QStringLiteral("payload_sha256"), request.payloadSha256},
        {QStringLiteral("risk"), policy::riskName(request.risk)},
        {QStringLiteral("requested_risk"), policy::riskName(request.requestedRisk)},
        {QStringLiteral("context"), request.context},
        {QStringLiteral("state"), approvals::stateName(request.state)},
        {QStringLiteral("approvals"), request.approvalCount()},
        {QStringLiteral("required_approvals"), request.requiredApprovals},
        {QStringLiteral("policy_rule"), request.policyRule},
        {QStringLiteral("created_at"), isoTime(request.createdAt)},
        {QStringLiteral("expires_at"), isoTime(approved ? request.approvalExpiresAt : request.expiresAt)},
        {QStringLiteral("decided_at"), isoTime(request.decidedAt)},
        {QStringLiteral("consumed_at"), isoTime(request.consumedAt)},
        {QStringLiteral("decisions"), decisions},
    };
    if (!request.idempotencyKey.isEmpty())
        json.insert(QStringLiteral("idempotency_key"), request.idempotencyKey);
    return json;
}

QJsonObject RequestWire::shown(const approvals::Request& request, const approvals::PayloadView& view)
{
    QJsonObject json = RequestWire::request(request);
    json.insert(QStringLiteral("payload"), view.view);
    json.insert(QStringLiteral("masked_fields"), view.masked);
    json.insert(QStringLiteral("view_sha256"), view.sha256);
    if (view.masked > 0)
        json.remove(QStringLiteral("payload_sha256"));
    json.remove(QStringLiteral("idempotency_key"));
    json.insert(QStringLiteral("created_at_ms"), request.createdAt);
    return json;
}

} // namespace countersign::api
