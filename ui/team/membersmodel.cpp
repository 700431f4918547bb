#include "team/membersmodel.h"

#include <QDateTime>
#include <QLocale>

namespace countersign::ui {

namespace {

QString when(qint64 ms)
{
    return ms > 0 ? QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms), QLocale::ShortFormat) : QString();
}

} // namespace

MembersModel::MembersModel(QObject* parent)
    : KeyedTableModel(parent)
{
}

void MembersModel::setMembers(QList<members::Member> members)
{
    replaceRows(m_members, std::move(members), [](const members::Member& member) { return member.id; });
}

int MembersModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_members.size());
}

int MembersModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant MembersModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const members::Member& member = m_members.at(index.row());
    switch (role) {
    case IdRole:
        return member.id;
    case ActiveRole:
        return member.active;
    case MemberRoleRole:
        return static_cast<int>(member.role);
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (static_cast<Column>(index.column())) {
    case Name:
        return member.displayName;
    case Role:
        return members::roleName(member.role);
    case State:
        return member.active ? tr("active") : tr("removed %1").arg(when(member.removedAt));
    case Joined:
        return when(member.createdAt);
    case Id:
        return member.id;
    case ColumnCount:
        break;
    }
    return {};
}

QVariant MembersModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (static_cast<Column>(section)) {
    case Name:
        return tr("Name");
    case Role:
        return tr("Role");
    case State:
        return tr("State");
    case Joined:
        return tr("Joined");
    case Id:
        return tr("Member id");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace countersign::ui
