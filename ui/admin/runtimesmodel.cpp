#include "admin/runtimesmodel.h"

#include <QDateTime>
#include <QLocale>

namespace countersign::ui {

namespace {

QString when(qint64 ms)
{
    return ms > 0 ? QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms), QLocale::ShortFormat) : QObject::tr("never");
}

} // namespace

RuntimesModel::RuntimesModel(QObject* parent)
    : KeyedTableModel(parent)
{
}

void RuntimesModel::setRuntimes(QList<approvals::RuntimeInfo> runtimes)
{
    replaceRows(m_runtimes, std::move(runtimes), [](const approvals::RuntimeInfo& runtime) { return runtime.name; });
}

int RuntimesModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_runtimes.size());
}

int RuntimesModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RuntimesModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const approvals::RuntimeInfo& runtime = m_runtimes.at(index.row());
    switch (role) {
    case NameRole:
        return runtime.name;
    case ActiveRole:
        return runtime.revokedAt == 0;
    case RevokedAtRole:
        return runtime.revokedAt;
    case LastSeenRole:
        return runtime.lastSeenAt;
    case RequestCountRole:
        return runtime.requestCount;
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (static_cast<Column>(index.column())) {
    case Name:
        return runtime.name;
    case Allowed:
        return runtime.allowedCapabilities.join(QStringLiteral(", "));
    case Registered:
        return when(runtime.createdAt);
    case LastSeen:
        return when(runtime.lastSeenAt);
    case Requests:
        return QLocale().toString(runtime.requestCount);
    case State:
        return runtime.revokedAt > 0 ? tr("revoked %1").arg(when(runtime.revokedAt)) : tr("active");
    case ColumnCount:
        break;
    }
    return {};
}

QVariant RuntimesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (static_cast<Column>(section)) {
    case Name:
        return tr("Name");
    case Allowed:
        return tr("Allowed capabilities");
    case Registered:
        return tr("Registered");
    case LastSeen:
        return tr("Last seen");
    case Requests:
        return tr("Requests");
    case State:
        return tr("State");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace countersign::ui
