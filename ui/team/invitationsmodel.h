#pragma once

#include "common/keyedtablemodel.h"
#include "members/invitation.h"

namespace countersign::ui {

/// The invitations of the instance, open and closed, one row each, keyed by invitation id.
class InvitationsModel final : public KeyedTableModel {
    Q_OBJECT
public:
    enum Column { Role, State, Expires, Note, Id, ColumnCount };
    enum DataRole {
        IdRole = Qt::UserRole + 1,
        StateRole,      // members::Invitation::State as int
        MemberRoleRole, // members::Role as int
    };

    explicit InvitationsModel(QObject* parent = nullptr);

    void setInvitations(QList<members::Invitation> invitations);
    [[nodiscard]] const members::Invitation& invitation(int row) const { return m_invitations.at(row); }

    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role = Qt::DisplayRole) const override;

private:
    QList<members::Invitation> m_invitations;
};

} // namespace countersign::ui
