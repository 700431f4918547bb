#pragma once

#include "common/keyedtablemodel.h"
#include "members/member.h"

namespace countersign::ui {

/// The members of the instance, present and removed, one row each, keyed by member id.
class MembersModel final : public KeyedTableModel {
    Q_OBJECT
public:
    enum Column { Name, Role, State, Joined, Id, ColumnCount };
    enum DataRole {
        IdRole = Qt::UserRole + 1,
        ActiveRole,     // bool
        MemberRoleRole, // members::Role as int
    };

    explicit MembersModel(QObject* parent = nullptr);

    void setMembers(QList<members::Member> members);
    [[nodiscard]] const members::Member& member(int row) const { return m_members.at(row); }

    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role = Qt::DisplayRole) const override;

private:
    QList<members::Member> m_members;
};

} // namespace countersign::ui
