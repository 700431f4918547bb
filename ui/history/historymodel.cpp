#include "history/historymodel.h"

#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "common/plaintooltip.h"

#include <QDateTime>
#include <QLocale>

namespace countersign::ui {

namespace {

constexpr int HISTORY_LIMIT = 5000;
constexpr int RELOAD_DELAY_MS = 500;

qint64 lastChange(const approvals::Request& request)
{
    return std::max({request.createdAt, request.decidedAt, request.consumedAt});
}

} // namespace

QString HistoryModel::outcome(const approvals::Request& request)
{
    // Approved, then never consumed before its validity ran out: the approval stood, the runtime
    // did not use it. Only an approval moves the decision time; a lapsed pending request has none.
    if (request.state == approvals::RequestState::Expired && request.decidedAt != 0 &&
        request.approvalCount() >= request.requiredApprovals)
        return tr("approved, not used in time");
    return stateName(request.state);
}

HistoryModel::HistoryModel(approvals::RequestService& requests, approvals::RequestEvents& events, QString memberId,
                           QObject* parent)
    : QAbstractTableModel(parent)
    , m_requests(requests)
    , m_memberId(std::move(memberId))
{
    m_reloadSoon.setSingleShot(true);
    m_reloadSoon.setInterval(RELOAD_DELAY_MS);
    connect(&m_reloadSoon, &QTimer::timeout, this, &HistoryModel::reload);
    connect(&events, &approvals::RequestEvents::requestChanged, this, [this](const QString&, const QString& state) {
        if (state != stateName(approvals::RequestState::Pending) && !m_reloadSoon.isActive())
            m_reloadSoon.start();
    });
    reload();
}

int HistoryModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int HistoryModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case When:
        return tr("When");
    case Risk:
        return tr("Risk");
    case Runtime:
        return tr("Runtime");
    case Capability:
        return tr("Capability");
    case Summary:
        return tr("Summary");
    case State:
        return tr("Outcome");
    case DecidedBy:
        return tr("Decided by");
    case Reason:
        return tr("Reason");
    default:
        return {};
    }
}

QVariant HistoryModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const approvals::Request& request = m_rows.at(index.row());
    if (role == IdRole)
        return request.id;
    if (role == Qt::ToolTipRole && index.column() == Summary)
        return plainToolTip(request.summary);
    if (role == Qt::ToolTipRole && index.column() == When) {
        // ISO 8601 with the offset, to the second: unambiguous to compare with logs elsewhere.
        const QDateTime at = QDateTime::fromMSecsSinceEpoch(lastChange(request));
        return at.toOffsetFromUtc(at.offsetFromUtc()).toString(Qt::ISODate);
    }
    if (role == SortRole) {
        switch (index.column()) {
        case When:
            return lastChange(request);
        case Risk:
            return static_cast<int>(request.risk);
        default:
            return data(index, Qt::DisplayRole).toString().toLower();
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case When:
        return QLocale().toString(QDateTime::fromMSecsSinceEpoch(lastChange(request)), QLocale::ShortFormat);
    case Risk:
        return policy::riskName(request.risk);
    case Runtime:
        return request.runtimeName;
    case Capability:
        return request.capability;
    case Summary:
        return request.summary;
    case State:
        return outcome(request);
    case DecidedBy: {
        QStringList names;
        for (const approvals::Decision& decision : request.decisions)
            names.append(decision.memberName);
        return names.join(QStringLiteral(", "));
    }
    case Reason: {
        QStringList reasons;
        for (const approvals::Decision& decision : request.decisions) {
            if (!decision.reason.isEmpty())
                reasons.append(decision.reason);
        }
        return reasons.join(QStringLiteral("; "));
    }
    default:
        return {};
    }
}

void HistoryModel::setSearch(const QString& text)
{
    if (text == m_search)
        return;
    m_search = text;
    reload();
}

void HistoryModel::reload()
{
    auto rows = m_requests.history(m_memberId, m_search, HISTORY_LIMIT);
    beginResetModel();
    if (rows) {
        m_rows = std::move(*rows);
        m_loaded = {};
    } else {
        m_rows.clear();
        m_loaded = std::unexpected(rows.error());
    }
    endResetModel();
}

const approvals::Request* HistoryModel::requestAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows.at(row) : nullptr;
}

} // namespace countersign::ui
