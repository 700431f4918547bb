#pragma once

#include "crypto/columncipher.h"
#include "error.h"

#include <QSqlDatabase>
#include <QString>
#include <QVariant>

#include <memory>

namespace countersign::storage {

/// How a store keeps the columns that say what a request or decision is about. A vault is
/// encrypted whole by SQLCipher, so they are stored as they are; a team's PostgreSQL database
/// must never see them, so each is sealed for its cell (crypto::ColumnCipher: table, column and
/// row id as associated data) and opened on reading. A ciphertext moved to another row, column or
/// table does not open, and the read fails (Integrity) naming the cell instead of serving it.
class CellSealing final {
public:
    /// For \a db: plain for a vault; sealed with \a cipher for PostgreSQL. A PostgreSQL store
    /// without the data key fails closed: every seal and open is refused.
    CellSealing(const QSqlDatabase& db, std::shared_ptr<const crypto::ColumnCipher> cipher);
    /// Plain: the database encrypts itself (a vault).
    CellSealing() = default;

    [[nodiscard]] bool seals() const { return m_seals; }
    /// What to bind for \a text in the cell.
    [[nodiscard]] Result<QVariant> seal(const QString& table, const QString& column, const QString& rowId,
                                        const QString& text) const;
    /// The text a cell holds.
    [[nodiscard]] Result<QString> open(const QString& table, const QString& column, const QString& rowId,
                                       const QVariant& stored) const;

private:
    bool m_seals = false;
    std::shared_ptr<const crypto::ColumnCipher> m_cipher;
};

} // namespace countersign::storage
