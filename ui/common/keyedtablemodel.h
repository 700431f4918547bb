#pragma once

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QSet>

namespace countersign::ui {

/// A table of records that each have a stable key (an id, a name). Replacing its rows tells the
/// views row by row what went away, what came and what moved, so a selection follows its record
/// through a reload instead of being lost to a model reset.
class KeyedTableModel : public QAbstractTableModel {
public:
    using QAbstractTableModel::QAbstractTableModel;

protected:
    /// Makes \a rows equal to \a fresh: removed records leave with rowsRemoved, new ones arrive
    /// with rowsInserted, a new order is a layout change, and every cell left is dataChanged.
    /// \a keyOf gives a record's key as a string.
    template <typename Row, typename KeyOf> void replaceRows(QList<Row>& rows, QList<Row> fresh, KeyOf keyOf);
};

template <typename Row, typename KeyOf>
void KeyedTableModel::replaceRows(QList<Row>& rows, QList<Row> fresh, KeyOf keyOf)
{
    QHash<QString, int> target;
    for (int i = 0; i < fresh.size(); ++i)
        target.insert(keyOf(fresh.at(i)), i);
    if (target.size() != fresh.size()) { // keys that repeat cannot be followed: start afresh
        beginResetModel();
        rows = std::move(fresh);
        endResetModel();
        return;
    }
    for (int i = static_cast<int>(rows.size()) - 1; i >= 0; --i) {
        if (!target.contains(keyOf(rows.at(i)))) {
            beginRemoveRows({}, i, i);
            rows.removeAt(i);
            endRemoveRows();
        }
    }
    QSet<QString> kept;
    for (const Row& row : std::as_const(rows))
        kept.insert(keyOf(row));
    QList<Row> added;
    for (const Row& row : std::as_const(fresh)) {
        if (!kept.contains(keyOf(row)))
            added.append(row);
    }
    if (!added.isEmpty()) {
        const int first = static_cast<int>(rows.size());
        beginInsertRows({}, first, first + static_cast<int>(added.size()) - 1);
        rows.append(added);
        endInsertRows();
    }
    bool moved = false;
    for (int i = 0; i < rows.size() && !moved; ++i)
        moved = target.value(keyOf(rows.at(i))) != i;
    if (moved) {
        Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
        const QModelIndexList before = persistentIndexList();
        QModelIndexList after;
        after.reserve(before.size());
        for (const QModelIndex& index : before)
            after.append(this->index(target.value(keyOf(rows.at(index.row()))), index.column()));
        rows = std::move(fresh);
        changePersistentIndexList(before, after);
        Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
    } else {
        rows = std::move(fresh);
    }
    if (!rows.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(static_cast<int>(rows.size()) - 1, columnCount() - 1));
}

} // namespace countersign::ui
