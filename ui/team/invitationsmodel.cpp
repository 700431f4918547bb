#include "team/invitationsmodel.h"

#include <QDateTime>
#include <QLocale>

namespace countersign::ui {

InvitationsModel::InvitationsModel(QObject* parent)
    : KeyedTableModel(parent)
{
}

void InvitationsModel::setInvitations(QList<members::Invitation> invitations)
{
    replaceRows(m_invitations, std::move(invitations),
                [](const members::Invitation& invitation) { return invitation.id; });
}

int InvitationsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_invitations.size());
}

int InvitationsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant InvitationsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const members::Invitation& invitation = m_invitations.at(index.row());
    switch (role) {
    case IdRole:
        return invitation.id;
    case StateRole:
        return static_cast<int>(invitation.state);
    case MemberRoleRole:
        return static_cast<int>(invitation.role);
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (static_cast<Column>(index.column())) {
    case Role:
        return members::roleName(invitation.role);
    case State:
        return members::Invitation::stateName(invitation.state);
    case Expires:
        return invitation.expiresAt > 0
                   ? QLocale().toString(QDateTime::fromMSecsSinceEpoch(invitation.expiresAt), QLocale::ShortFormat)
                   : QString();
    case Note:
        return invitation.note;
    case Id:
        return invitation.id;
    case ColumnCount:
        break;
    }
    return {};
}

QVariant InvitationsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (static_cast<Column>(section)) {
    case Role:
        return tr("Role");
    case State:
        return tr("State");
    case Expires:
        return tr("Expires");
    case Note:
        return tr("Note");
    case Id:
        return tr("Invitation id");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace countersign::ui
