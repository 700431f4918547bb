#include "requeststore.h"

#include "json/canonicaljson.h"
#include "storage/execute.h"
#include "storage/statementcache.h"
#include "storage/transaction.h"

#include <QHash>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>
#include <limits>

namespace countersign::approvals {

namespace {

const QString SELECT_REQUEST = QStringLiteral(
    "SELECT q.id, q.runtime_id, r.name, q.capability, q.summary, q.details, q.payload, q.payload_sha256, q.risk, "
    "q.context, q.idempotency_key, q.state, q.required_approvals, q.policy_rule, q.validity_seconds, q.created_at, "
    "q.expires_at, q.decided_at, q.approval_expires_at, q.consumed_at, r.member_id, q.requested_risk, "
    "r.revoked_at IS NOT NULL "
    "FROM requests q JOIN runtimes r ON r.id = q.runtime_id ");

const QString SELECT_DECISION = QStringLiteral(
    "SELECT d.request_id, d.member_id, coalesce(m.display_name, d.member_id), d.verdict, d.reason, d.decided_at, "
    "m.public_key, d.signature FROM decisions d LEFT JOIN members m ON m.id = d.member_id ");

const QString REQUESTS = QStringLiteral("requests");
const QString DECISIONS = QStringLiteral("decisions");

/// The row id a decision's sealed reason is bound to: its request and its member.
QString decisionCell(const QString& requestId, const QString& memberId)
{
    return requestId + u'/' + memberId;
}

QString verdictName(bool approve)
{
    return approve ? QStringLiteral("approve") : QStringLiteral("deny");
}

} // namespace

RequestStore::RequestStore(QSqlDatabase db, std::shared_ptr<const crypto::ColumnCipher> cipher)
    : m_db(std::move(db))
    , m_dialect(storage::SqlDialect::of(m_db))
    , m_sealing(m_db, std::move(cipher))
    , m_statements(std::make_unique<storage::StatementCache>(m_db))
{
}

Result<Request> RequestStore::requestFromRow(const QSqlQuery& row) const
{
    Request request;
    request.id = row.value(0).toString();
    auto summary = m_sealing.open(REQUESTS, QStringLiteral("summary"), request.id, row.value(4));
    COUNTERSIGN_TRY(summary);
    auto details = m_sealing.open(REQUESTS, QStringLiteral("details"), request.id, row.value(5));
    COUNTERSIGN_TRY(details);
    auto payload = m_sealing.open(REQUESTS, QStringLiteral("payload"), request.id, row.value(6));
    COUNTERSIGN_TRY(payload);
    auto context = m_sealing.open(REQUESTS, QStringLiteral("context"), request.id, row.value(9));
    COUNTERSIGN_TRY(context);
    request.runtimeId = row.value(1).toLongLong();
    request.runtimeName = row.value(2).toString();
    request.capability = row.value(3).toString();
    request.summary = *summary;
    request.details = *details;
    request.payload = payload->toUtf8();
    request.payloadSha256 = row.value(7).toString();
    request.risk = policy::parseRisk(row.value(8).toString()).value_or(policy::Risk::Critical);
    request.context = QJsonDocument::fromJson(context->toUtf8()).object();
    request.idempotencyKey = row.value(10).toString();
    request.state = parseState(row.value(11).toString()).value_or(RequestState::Expired);
    request.requiredApprovals = row.value(12).toInt();
    request.policyRule = row.value(13).toString();
    request.validitySeconds = row.value(14).toInt();
    request.createdAt = row.value(15).toLongLong();
    request.expiresAt = row.value(16).toLongLong();
    request.decidedAt = row.value(17).toLongLong();
    request.approvalExpiresAt = row.value(18).toLongLong();
    request.consumedAt = row.value(19).toLongLong();
    request.raisedBy = row.value(20).toString();
    // Requests stored before risk floors existed were taken at the risk they declared.
    request.requestedRisk =
        row.isNull(21) ? request.risk : policy::parseRisk(row.value(21).toString()).value_or(request.risk);
    request.runtimeRevoked = row.value(22).toBool();
    return request;
}

Result<Decision> RequestStore::decisionFromRow(const QSqlQuery& row) const
{
    auto reason = m_sealing.open(DECISIONS, QStringLiteral("reason"),
                                 decisionCell(row.value(0).toString(), row.value(1).toString()), row.value(4));
    COUNTERSIGN_TRY(reason);
    return Decision{row.value(1).toString(),
                    row.value(2).toString(),
                    row.value(3).toString() == u"approve",
                    *reason,
                    row.value(5).toLongLong(),
                    row.value(6).toByteArray(),
                    row.value(7).toByteArray()};
}

RequestStore::~RequestStore() = default;

Result<void> RequestStore::loadDecisions(Request& request) const
{
    QSqlQuery& query =
        m_statements->prepared(SELECT_DECISION + QStringLiteral("WHERE d.request_id = ? ORDER BY d.decided_at"));
    query.bindValue(0, request.id);
    if (!query.exec())
        return std::unexpected(storage::queryError(query));
    request.decisions.clear();
    while (query.next()) {
        auto decision = decisionFromRow(query);
        if (!decision) {
            query.finish();
            return std::unexpected(decision.error());
        }
        request.decisions.append(std::move(*decision));
    }
    query.finish();
    return {};
}

Result<QList<Request>> RequestStore::select(const QString& where, const QVariantList& values, bool withDecisions) const
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(SELECT_REQUEST + where);
    for (const QVariant& value : values)
        query.addBindValue(value);
    if (!query.exec())
        return std::unexpected(storage::queryError(query));
    QList<Request> requests;
    while (query.next()) {
        auto request = requestFromRow(query);
        COUNTERSIGN_TRY(request);
        requests.append(std::move(*request));
    }
    query.finish();
    if (!withDecisions || requests.isEmpty())
        return requests;
    if (requests.size() == 1) {
        auto decisions = loadDecisions(requests.first());
        COUNTERSIGN_TRY(decisions);
        return requests;
    }
    // The decisions of every listed request in one query, not one query per request.
    QHash<QString, qsizetype> byId;
    byId.reserve(requests.size());
    for (qsizetype i = 0; i < requests.size(); ++i)
        byId.insert(requests.at(i).id, i);
    QSqlQuery decisions(m_db);
    decisions.setForwardOnly(true);
    decisions.prepare(SELECT_DECISION +
                      QStringLiteral("WHERE d.request_id IN (SELECT q.id FROM requests q JOIN runtimes r ON r.id = "
                                     "q.runtime_id ") +
                      where + QStringLiteral(") ORDER BY d.decided_at"));
    for (const QVariant& value : values)
        decisions.addBindValue(value);
    if (!decisions.exec())
        return std::unexpected(storage::queryError(decisions));
    while (decisions.next()) {
        const auto it = byId.constFind(decisions.value(0).toString());
        if (it == byId.cend())
            continue;
        auto decision = decisionFromRow(decisions);
        COUNTERSIGN_TRY(decision);
        requests[*it].decisions.append(std::move(*decision));
    }
    return requests;
}

Result<std::optional<Request>> RequestStore::findOne(const QString& where, const QVariantList& values) const
{
    // A request read inside a write transaction is read to be changed: the read locks its row, so
    // that on a shared database a change another node commits meanwhile is waited for and read,
    // rather than found by a conditional update that then matches nothing (docs/team-server.md,
    // "Transactions and failures").
    const QString lock = storage::inTransaction(m_db) ? m_dialect.lockingRead(QStringLiteral("q")) : QString();
    QSqlQuery& query = m_statements->prepared(SELECT_REQUEST + where + lock);
    for (qsizetype i = 0; i < values.size(); ++i)
        query.bindValue(static_cast<int>(i), values.at(i));
    if (!query.exec())
        return std::unexpected(storage::queryError(query));
    if (!query.next()) {
        query.finish();
        return std::optional<Request>();
    }
    auto request = requestFromRow(query);
    query.finish();
    COUNTERSIGN_TRY(request);
    auto decisions = loadDecisions(*request);
    COUNTERSIGN_TRY(decisions);
    return std::optional<Request>(std::move(*request));
}

Result<std::optional<Request>> RequestStore::find(const QString& id) const
{
    return findOne(QStringLiteral("WHERE q.id = ?"), {id});
}

Result<Request> RequestStore::get(const QString& id) const
{
    auto found = find(id);
    COUNTERSIGN_TRY(found);
    if (!*found)
        return fail(ErrorCode::NotFound, QStringLiteral("no request %1").arg(id.left(64)));
    return std::move(**found);
}

Result<std::optional<Request>> RequestStore::findByIdempotencyKey(qint64 runtimeId, const QString& idempotencyKey) const
{
    return findOne(QStringLiteral("WHERE q.runtime_id = ? AND q.idempotency_key = ?"), {runtimeId, idempotencyKey});
}

Result<QString> RequestStore::bodySha256(const QString& id) const
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT body_sha256 FROM requests WHERE id = ?"));
    query.addBindValue(id);
    if (!query.exec() || !query.next())
        return std::unexpected(storage::queryError(query));
    return query.value(0).toString();
}

Result<void> RequestStore::insert(const Request& request, const QString& bodySha256)
{
    auto summary = m_sealing.seal(REQUESTS, QStringLiteral("summary"), request.id, request.summary);
    COUNTERSIGN_TRY(summary);
    auto details = m_sealing.seal(REQUESTS, QStringLiteral("details"), request.id, request.details);
    COUNTERSIGN_TRY(details);
    auto payload = m_sealing.seal(REQUESTS, QStringLiteral("payload"), request.id, QString::fromUtf8(request.payload));
    COUNTERSIGN_TRY(payload);
    auto context = m_sealing.seal(REQUESTS, QStringLiteral("context"), request.id,
                                  QString::fromUtf8(json::canonicalJson(request.context)));
    COUNTERSIGN_TRY(context);
    QSqlQuery insert(m_db);
    insert.prepare(QStringLiteral(
        "INSERT INTO requests (id, runtime_id, capability, summary, details, payload, payload_sha256, risk, context, "
        "idempotency_key, body_sha256, state, required_approvals, policy_rule, validity_seconds, created_at, "
        "expires_at, requested_risk) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (const QVariant& value :
         {QVariant(request.id), QVariant(request.runtimeId), QVariant(request.capability), *summary, *details, *payload,
          QVariant(request.payloadSha256), QVariant(policy::riskName(request.risk)), *context,
          request.idempotencyKey.isEmpty() ? QVariant(QMetaType::fromType<QString>())
                                           : QVariant(request.idempotencyKey),
          QVariant(bodySha256), QVariant(stateName(request.state)), QVariant(request.requiredApprovals),
          QVariant(request.policyRule), QVariant(request.validitySeconds), QVariant(request.createdAt),
          QVariant(request.expiresAt), QVariant(policy::riskName(request.requestedRisk))})
        insert.addBindValue(value);
    if (!insert.exec())
        return std::unexpected(storage::queryError(insert));
    return {};
}

Result<void> RequestStore::updateState(const Request& request, RequestState from, RequestState to)
{
    // Each state writes the times it sets and no other: a time a state never set stays NULL.
    QSqlQuery update(m_db);
    switch (to) {
    case RequestState::Approved:
        update.prepare(QStringLiteral(
            "UPDATE requests SET state = ?, decided_at = ?, approval_expires_at = ? WHERE id = ? AND state = ?"));
        update.addBindValue(stateName(to));
        update.addBindValue(request.decidedAt);
        update.addBindValue(request.approvalExpiresAt);
        break;
    case RequestState::Consumed:
        update.prepare(QStringLiteral("UPDATE requests SET state = ?, consumed_at = ? WHERE id = ? AND state = ?"));
        update.addBindValue(stateName(to));
        update.addBindValue(request.consumedAt);
        break;
    case RequestState::Denied:
    case RequestState::Cancelled:
        update.prepare(QStringLiteral("UPDATE requests SET state = ?, decided_at = ? WHERE id = ? AND state = ?"));
        update.addBindValue(stateName(to));
        update.addBindValue(request.decidedAt);
        break;
    case RequestState::Pending:
    case RequestState::Expired:
        update.prepare(QStringLiteral("UPDATE requests SET state = ? WHERE id = ? AND state = ?"));
        update.addBindValue(stateName(to));
        break;
    }
    update.addBindValue(request.id);
    update.addBindValue(stateName(from));
    if (!update.exec())
        return std::unexpected(storage::queryError(update));
    // The WHERE clause holds the state the change starts from: zero rows means someone else won.
    if (update.numRowsAffected() != 1)
        return fail(ErrorCode::Conflict, QStringLiteral("request %1 changed meanwhile").arg(request.id));
    return {};
}

Result<void> RequestStore::updateExpiresAt(const QString& id, qint64 expiresAt)
{
    QSqlQuery update(m_db);
    update.prepare(QStringLiteral("UPDATE requests SET expires_at = ? WHERE id = ? AND state = 'pending'"));
    update.addBindValue(expiresAt);
    update.addBindValue(id);
    if (!update.exec())
        return std::unexpected(storage::queryError(update));
    return {};
}

Result<void> RequestStore::insertDecision(const QString& requestId, const Decision& decision)
{
    auto reason = m_sealing.seal(DECISIONS, QStringLiteral("reason"), decisionCell(requestId, decision.memberId),
                                 decision.reason);
    COUNTERSIGN_TRY(reason);
    QSqlQuery insert(m_db);
    insert.prepare(QStringLiteral("INSERT INTO decisions (request_id, member_id, verdict, reason, decided_at, "
                                  "signature) VALUES (?, ?, ?, ?, ?, ?)"));
    insert.addBindValue(requestId);
    insert.addBindValue(decision.memberId);
    insert.addBindValue(verdictName(decision.approve));
    insert.addBindValue(*reason);
    insert.addBindValue(decision.decidedAt);
    insert.addBindValue(decision.signature);
    if (!insert.exec())
        return std::unexpected(storage::queryError(insert));
    return {};
}

Result<QList<Request>> RequestStore::due(qint64 at) const
{
    return select(QStringLiteral("WHERE (q.state = 'pending' AND q.expires_at <= ?) "
                                 "OR (q.state = 'approved' AND q.approval_expires_at <= ?)"),
                  {at, at}, false);
}

Result<std::optional<qint64>> RequestStore::nextDeadline() const
{
    // Two minimums, each the first entry of its index (requests_state, requests_approval_expiry):
    // one expression over both states would visit every open request.
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT (SELECT min(expires_at) FROM requests WHERE state = 'pending'), "
                                   "(SELECT min(approval_expires_at) FROM requests WHERE state = 'approved')")) ||
        !query.next())
        return std::unexpected(storage::queryError(query));
    std::optional<qint64> next;
    for (int column = 0; column < 2; ++column) {
        if (!query.isNull(column))
            next = std::min(next.value_or(std::numeric_limits<qint64>::max()), query.value(column).toLongLong());
    }
    return next;
}

Result<QList<Request>> RequestStore::ofRuntime(qint64 runtimeId, const QString& state) const
{
    if (state.isEmpty())
        return select(QStringLiteral("WHERE q.runtime_id = ? ORDER BY q.created_at DESC LIMIT 1000"), {runtimeId},
                      true);
    return select(QStringLiteral("WHERE q.runtime_id = ? AND q.state = ? ORDER BY q.created_at DESC LIMIT 1000"),
                  {runtimeId, state}, true);
}

Result<QList<Request>> RequestStore::inState(RequestState state, int limit) const
{
    return select(QStringLiteral("WHERE q.state = ? ORDER BY q.created_at DESC LIMIT ?"), {stateName(state), limit},
                  true);
}

Result<QList<Request>> RequestStore::history(const QString& search, int limit) const
{
    if (m_sealing.seals())
        return searchSealedHistory(search.trimmed(), limit);
    const QString pattern = storage::SqlDialect::likePattern(search.trimmed());
    const QString where =
        QStringLiteral("WHERE q.state <> 'pending' AND (%1 OR %2 OR %3 OR %4 OR EXISTS (SELECT 1 FROM decisions d "
                       "WHERE d.request_id = q.id AND %5)) ORDER BY %6 DESC LIMIT ?")
            .arg(m_dialect.contains(QStringLiteral("q.id")), m_dialect.contains(QStringLiteral("r.name")),
                 m_dialect.contains(QStringLiteral("q.capability")), m_dialect.contains(QStringLiteral("q.summary")),
                 m_dialect.contains(QStringLiteral("d.reason")),
                 m_dialect.greatest({QStringLiteral("q.created_at"), QStringLiteral("q.decided_at"),
                                     QStringLiteral("q.consumed_at")}));
    return select(where, {pattern, pattern, pattern, pattern, pattern, limit}, true);
}

Result<QList<Request>> RequestStore::searchSealedHistory(const QString& search, int limit) const
{
    auto newest = select(QStringLiteral("WHERE q.state <> 'pending' ORDER BY %1 DESC LIMIT ?")
                             .arg(m_dialect.greatest({QStringLiteral("q.created_at"), QStringLiteral("q.decided_at"),
                                                      QStringLiteral("q.consumed_at")})),
                         {HISTORY_SEARCH_WINDOW}, true);
    COUNTERSIGN_TRY(newest);
    const auto has = [&search](const QString& text) {
        return text.contains(search, Qt::CaseInsensitive);
    };
    QList<Request> found;
    for (Request& request : *newest) {
        if (found.size() >= limit)
            break;
        const bool matches = has(request.id) || has(request.runtimeName) || has(request.capability) ||
                             has(request.summary) ||
                             std::any_of(request.decisions.cbegin(), request.decisions.cend(),
                                         [&has](const Decision& decision) { return has(decision.reason); });
        if (matches)
            found.append(std::move(request));
    }
    return found;
}

Result<QList<RequestStore::Approver>> RequestStore::approvers(const QString& requestId) const
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT m.role, m.state FROM decisions d LEFT JOIN members m ON m.id = d.member_id "
                                 "WHERE d.request_id = ? AND d.verdict = 'approve'"));
    query.addBindValue(requestId);
    if (!query.exec())
        return std::unexpected(storage::queryError(query));
    QList<Approver> approvers;
    while (query.next())
        approvers.append(Approver{query.value(0).toString(), query.value(1).toString() == u"active"});
    return approvers;
}

Result<QList<RequestStore::ActiveMember>> RequestStore::activeMembers() const
{
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT id, role FROM members WHERE state = 'active'")))
        return std::unexpected(storage::queryError(query));
    QList<ActiveMember> members;
    while (query.next())
        members.append(ActiveMember{query.value(0).toString(), query.value(1).toString()});
    return members;
}

Result<QByteArray> RequestStore::memberKey(const QString& memberId) const
{
    QSqlQuery key(m_db);
    key.prepare(QStringLiteral("SELECT public_key FROM members WHERE id = ?"));
    key.addBindValue(memberId);
    if (!key.exec() || !key.next())
        return std::unexpected(storage::queryError(key));
    return key.value(0).toByteArray();
}

} // namespace countersign::approvals
