#pragma once

#include "approvals/runtimeregistry.h"
#include "common/keyedtablemodel.h"

namespace countersign::ui {

/// The registered runtimes, one row each, keyed by name. The state of a runtime travels as
/// values (ActiveRole, RevokedAtRole), so nothing compares the translated words a cell shows.
class RuntimesModel final : public KeyedTableModel {
    Q_OBJECT
public:
    enum Column { Name, Allowed, Registered, LastSeen, Requests, State, ColumnCount };
    enum Role {
        NameRole = Qt::UserRole + 1,
        ActiveRole,       // bool
        RevokedAtRole,    // qint64 ms since the epoch, 0 while active
        LastSeenRole,     // qint64 ms since the epoch, 0 if never
        RequestCountRole, // qint64
    };

    explicit RuntimesModel(QObject* parent = nullptr);

    void setRuntimes(QList<approvals::RuntimeInfo> runtimes);
    [[nodiscard]] const approvals::RuntimeInfo& runtime(int row) const { return m_runtimes.at(row); }

    [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role = Qt::DisplayRole) const override;

private:
    QList<approvals::RuntimeInfo> m_runtimes;
};

} // namespace countersign::ui
