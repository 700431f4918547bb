#pragma once

#include "error.h"
#include "request.h"
#include "storage/cellsealing.h"
#include "storage/sqldialect.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QVariantList>

#include <memory>
#include <optional>

namespace countersign::storage {
class StatementCache;
}

class QSqlQuery;

namespace countersign::approvals {

/// Every SQL statement on the requests and decisions tables, and the mapping of their rows to
/// Request and Decision. Nothing here decides: the callers hold the rules and the transaction.
class RequestStore final {
public:
    /// How a member who approved stands now (the quorum counts members as they are).
    struct Approver final {
        QString role;
        bool active = false;
    };
    /// A member who is active now, with their role.
    struct ActiveMember final {
        QString id;
        QString role;
    };
    /// How many of the newest decided requests a search of a sealed history opens at the most.
    static constexpr int HISTORY_SEARCH_WINDOW = 5000;

    /// On \a db; a team database (PostgreSQL) also needs the team's \a cipher, with which what a
    /// request or decision says is sealed (summary, details, payload, context, reason).
    explicit RequestStore(QSqlDatabase db, std::shared_ptr<const crypto::ColumnCipher> cipher = {});
    ~RequestStore();
    RequestStore(const RequestStore&) = delete;
    RequestStore& operator=(const RequestStore&) = delete;

    [[nodiscard]] QSqlDatabase& database() { return m_db; }

    /// Request \a id with its decisions, if stored.
    [[nodiscard]] Result<std::optional<Request>> find(const QString& id) const;
    /// find(), NotFound when not stored.
    [[nodiscard]] Result<Request> get(const QString& id) const;
    /// The request runtime \a runtimeId created with \a idempotencyKey, with its decisions.
    [[nodiscard]] Result<std::optional<Request>> findByIdempotencyKey(qint64 runtimeId,
                                                                      const QString& idempotencyKey) const;
    /// The digest of the body request \a id was created from (idempotent retries compare it).
    [[nodiscard]] Result<QString> bodySha256(const QString& id) const;
    [[nodiscard]] Result<void> insert(const Request& request, const QString& bodySha256);
    /// Writes \a request's new state \a to, and the times that state sets, if the row is still
    /// in state \a from: Conflict when another writer changed it first.
    [[nodiscard]] Result<void> updateState(const Request& request, RequestState from, RequestState to);
    /// A pending request's new deadline.
    [[nodiscard]] Result<void> updateExpiresAt(const QString& id, qint64 expiresAt);
    [[nodiscard]] Result<void> insertDecision(const QString& requestId, const Decision& decision);
    /// Reads \a request's decisions again, oldest first.
    [[nodiscard]] Result<void> loadDecisions(Request& request) const;

    /// Pending requests past their deadline and approvals past their validity at \a at, without decisions.
    [[nodiscard]] Result<QList<Request>> due(qint64 at) const;
    /// The nearest deadline of a pending request or approval, if any.
    [[nodiscard]] Result<std::optional<qint64>> nextDeadline() const;
    /// Runtime \a runtimeId's requests in \a state (all when empty), newest first, at most 1,000.
    [[nodiscard]] Result<QList<Request>> ofRuntime(qint64 runtimeId, const QString& state) const;
    [[nodiscard]] Result<QList<Request>> inState(RequestState state, int limit) const;
    /// Requests no longer pending whose id, runtime, capability, summary or a decision's reason
    /// contains \a search (case-insensitive), most recently changed first.
    [[nodiscard]] Result<QList<Request>> history(const QString& search, int limit) const;

    /// The members who approved request \a requestId, as they stand now.
    [[nodiscard]] Result<QList<Approver>> approvers(const QString& requestId) const;
    [[nodiscard]] Result<QList<ActiveMember>> activeMembers() const;
    /// The public key member \a memberId signs with.
    [[nodiscard]] Result<QByteArray> memberKey(const QString& memberId) const;

private:
    [[nodiscard]] Result<std::optional<Request>> findOne(const QString& where, const QVariantList& values) const;
    [[nodiscard]] Result<QList<Request>> select(const QString& where, const QVariantList& values,
                                                bool withDecisions) const;
    [[nodiscard]] Result<Request> requestFromRow(const QSqlQuery& row) const;
    /// A row of SELECT_DECISION (column 0 is the request's id).
    [[nodiscard]] Result<Decision> decisionFromRow(const QSqlQuery& row) const;
    /// history() where what it searches is sealed: the newest decided requests are opened and
    /// searched here, up to HISTORY_SEARCH_WINDOW of them.
    [[nodiscard]] Result<QList<Request>> searchSealedHistory(const QString& search, int limit) const;

    QSqlDatabase m_db;
    storage::SqlDialect m_dialect;
    storage::CellSealing m_sealing;
    std::unique_ptr<storage::StatementCache> m_statements;
};

} // namespace countersign::approvals
