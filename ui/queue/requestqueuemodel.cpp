#include "queue/requestqueuemodel.h"

#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "common/durationtext.h"
#include "common/plaintooltip.h"
#include "common/riskbadge.h"

#include <QDateTime>
#include <QGuiApplication>
#include <QHash>
#include <QPalette>
#include <QRegularExpression>

#include <algorithm>

namespace countersign::ui {

namespace {

QString duration(qint64 ms)
{
    return durationText(ms / 1000);
}

} // namespace

RequestQueueModel::RequestQueueModel(approvals::RequestService& requests, approvals::RequestEvents& events,
                                     QObject* parent)
    : QAbstractTableModel(parent)
    , m_requests(requests)
{
    connect(&events, &approvals::RequestEvents::requestCreated, this, &RequestQueueModel::refreshOne);
    connect(&events, &approvals::RequestEvents::requestChanged, this,
            [this](const QString& id, const QString&) { refreshOne(id); });
    m_now = QDateTime::currentMSecsSinceEpoch();
    m_ticker.setInterval(1000);
    connect(&m_ticker, &QTimer::timeout, this, &RequestQueueModel::tick);
    m_ticker.start();
    reload();
}

int RequestQueueModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int RequestQueueModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RequestQueueModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Age:
        return tr("Age");
    case Runtime:
        return tr("Runtime");
    case Capability:
        return tr("Capability");
    case Risk:
        return tr("Risk");
    case Summary:
        return tr("Summary");
    case Approvals:
        return tr("Approvals");
    case TimeLeft:
        return tr("Time left");
    default:
        return {};
    }
}

QVariant RequestQueueModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const approvals::Request& request = m_rows.at(index.row());
    if (role == IdRole)
        return request.id;
    if (role == SortRole) {
        switch (index.column()) {
        case Age:
            return request.createdAt;
        case Risk:
            return static_cast<int>(request.risk);
        case Approvals:
            return request.approvalCount();
        case TimeLeft:
            return request.expiresAt;
        default:
            break;
        }
        role = Qt::DisplayRole;
    }
    if (role == Qt::ToolTipRole && index.column() == Summary)
        return plainToolTip(request.summary);
    if (role == RiskRole)
        return static_cast<int>(request.risk);
    if (index.column() == Risk && role == Qt::DecorationRole)
        return riskIcon(request.risk);
    if (index.column() == Risk && role == Qt::AccessibleTextRole)
        return RiskBadge::accessibleText(request.risk);
    if (role != Qt::DisplayRole && role != Qt::AccessibleTextRole)
        return {};
    switch (index.column()) {
    case Age:
        return duration(std::max<qint64>(0, m_now - request.createdAt)); // created since the last tick: 0
    case Runtime:
        return request.runtimeRevoked ? tr("%1 (revoked)").arg(request.runtimeName) : request.runtimeName;
    case Capability:
        return request.capability;
    case Risk:
        return RiskBadge::word(request.risk);
    case Summary:
        return request.summary;
    case Approvals:
        return QStringLiteral("%1/%2").arg(request.approvalCount()).arg(request.requiredApprovals);
    case TimeLeft:
        return duration(request.expiresAt - m_now);
    default:
        return {};
    }
}

int RequestQueueModel::rowOf(const QString& id) const
{
    for (qsizetype row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).id == id)
            return static_cast<int>(row);
    }
    return -1;
}

const approvals::Request* RequestQueueModel::requestAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows.at(row) : nullptr;
}

void RequestQueueModel::reload()
{
    auto pending = m_requests.requestsInState(approvals::RequestState::Pending);
    if (!pending)
        return;
    QHash<QString, qsizetype> fresh; // id -> index in *pending
    fresh.reserve(pending->size());
    for (qsizetype i = 0; i < pending->size(); ++i)
        fresh.insert(pending->at(i).id, i);
    // Remove rows that left the queue, update the others, then append the new ones.
    for (int row = static_cast<int>(m_rows.size()) - 1; row >= 0; --row) {
        const auto it = fresh.constFind(m_rows.at(row).id);
        if (it == fresh.cend()) {
            dropRow(row);
            continue;
        }
        m_rows[row] = pending->at(*it);
        fresh.erase(it);
    }
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(static_cast<int>(m_rows.size()) - 1, ColumnCount - 1));
    if (fresh.isEmpty())
        return;
    QList<qsizetype> added = fresh.values();
    std::sort(added.begin(), added.end());
    const int first = static_cast<int>(m_rows.size());
    beginInsertRows({}, first, first + static_cast<int>(added.size()) - 1);
    m_rows.reserve(m_rows.size() + added.size());
    for (qsizetype i : std::as_const(added))
        m_rows.append(std::move((*pending)[i]));
    endInsertRows();
}

void RequestQueueModel::refreshOne(const QString& id)
{
    auto request = m_requests.request(id);
    const int row = rowOf(id);
    const bool pending = request && request->state == approvals::RequestState::Pending;
    if (row >= 0 && !pending) {
        dropRow(row);
    } else if (row >= 0) {
        m_rows[row] = *request;
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    } else if (pending) {
        const int at = static_cast<int>(m_rows.size());
        beginInsertRows({}, at, at);
        m_rows.append(*request);
        endInsertRows();
    }
}

void RequestQueueModel::refresh(const QSet<QString>& ids)
{
    for (const QString& id : ids)
        refreshOne(id);
}

void RequestQueueModel::dropRow(int row)
{
    Q_EMIT requestLeaving(m_rows.at(row).id);
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    endRemoveRows();
}

const QIcon& RequestQueueModel::riskIcon(policy::Risk risk) const
{
    const QPalette palette = QGuiApplication::palette();
    const QRgb window = palette.color(QPalette::Window).rgb();
    if (window != m_riskIconsWindow || m_riskIcons.front().isNull()) {
        for (const policy::Risk each :
             {policy::Risk::Low, policy::Risk::Medium, policy::Risk::High, policy::Risk::Critical})
            m_riskIcons.at(static_cast<std::size_t>(each)) = RiskBadge::icon(each, palette);
        m_riskIconsWindow = window;
    }
    return m_riskIcons.at(static_cast<std::size_t>(risk));
}

void RequestQueueModel::tick()
{
    m_now = QDateTime::currentMSecsSinceEpoch();
    if (m_rows.isEmpty())
        return;
    const int last = static_cast<int>(m_rows.size()) - 1;
    Q_EMIT dataChanged(index(0, Age), index(last, Age), {Qt::DisplayRole});
    Q_EMIT dataChanged(index(0, TimeLeft), index(last, TimeLeft), {Qt::DisplayRole});
}

} // namespace countersign::ui

namespace countersign::ui {

QueueFilterProxy::QueueFilterProxy(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(RequestQueueModel::SortRole);
}

void QueueFilterProxy::setFilterText(const QString& text)
{
    m_words.clear();
    m_problems.clear();
    m_runtime.clear();
    m_capability.clear();
    m_risk.reset();
    m_riskOrHigher = false;
    for (const QString& word : text.split(u' ', Qt::SkipEmptyParts)) {
        const qsizetype colon = word.indexOf(u':');
        const QString key = colon > 0 ? word.left(colon).toLower() : QString();
        const QString value = colon > 0 ? word.mid(colon + 1) : word;
        if (key == u"runtime") {
            m_runtime = value;
        } else if (key == u"capability" || key == u"cap") {
            m_capability = value;
        } else if (key == u"risk") {
            m_riskOrHigher = value.endsWith(u'+');
            m_risk = policy::parseRisk(m_riskOrHigher ? value.chopped(1).toLower() : value.toLower());
            if (!m_risk) {
                m_words.append(word); // not a risk: matches nothing, and says why
                m_problems.append(tr("unknown risk '%1'").arg(value));
            }
        } else {
            // "field:value" with a field the filter does not know is most likely a typo: it is
            // searched for as text, and flagged.
            if (colon > 0 && !value.isEmpty() && key.contains(QRegularExpression(QStringLiteral("^[a-z]+$"))))
                m_problems.append(tr("unknown field '%1'").arg(key));
            m_words.append(word);
        }
    }
    // One layout change instead of a removal signal per scattered range: far cheaper for a
    // view over thousands of rows, and persistent indexes (the selection) survive it.
    invalidate();
}

bool QueueFilterProxy::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    // Compares the requests themselves: no QVariant or display string per comparison.
    const auto* model = qobject_cast<const RequestQueueModel*>(sourceModel());
    const approvals::Request* a = model ? model->requestAt(left.row()) : nullptr;
    const approvals::Request* b = model ? model->requestAt(right.row()) : nullptr;
    if (!a || !b)
        return QSortFilterProxyModel::lessThan(left, right);
    switch (left.column()) {
    case RequestQueueModel::Age:
        return a->createdAt < b->createdAt; // by arrival, as the age column sorts
    case RequestQueueModel::Runtime:
        return a->runtimeName.compare(b->runtimeName, Qt::CaseInsensitive) < 0;
    case RequestQueueModel::Capability:
        return a->capability < b->capability;
    case RequestQueueModel::Risk:
        // By risk, then by age: within one risk the older request counts as more urgent, so the
        // queue's default (descending) order is critical first, and oldest first within each risk.
        if (a->risk != b->risk)
            return a->risk < b->risk;
        return a->createdAt > b->createdAt;
    case RequestQueueModel::Summary:
        return a->summary.compare(b->summary, Qt::CaseInsensitive) < 0;
    case RequestQueueModel::Approvals:
        return a->approvalCount() < b->approvalCount();
    case RequestQueueModel::TimeLeft:
        return a->expiresAt < b->expiresAt;
    default:
        return QSortFilterProxyModel::lessThan(left, right);
    }
}

bool QueueFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (sourceParent.isValid())
        return false;
    const auto* model = qobject_cast<const RequestQueueModel*>(sourceModel());
    const approvals::Request* request = model ? model->requestAt(sourceRow) : nullptr;
    if (!request)
        return false;
    if (!m_runtime.isEmpty() && !request->runtimeName.contains(m_runtime, Qt::CaseInsensitive))
        return false;
    if (!m_capability.isEmpty() && !request->capability.startsWith(m_capability, Qt::CaseInsensitive))
        return false;
    if (m_risk && (m_riskOrHigher ? request->risk < *m_risk : request->risk != *m_risk))
        return false;
    for (const QString& word : m_words) {
        if (!request->summary.contains(word, Qt::CaseInsensitive) &&
            !request->runtimeName.contains(word, Qt::CaseInsensitive) &&
            !request->capability.contains(word, Qt::CaseInsensitive) &&
            !policy::riskName(request->risk).contains(word, Qt::CaseInsensitive) && !request->id.startsWith(word))
            return false;
    }
    return true;
}

} // namespace countersign::ui
