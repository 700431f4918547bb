#pragma once

#include <QSqlResult>

struct sqlite3;
struct sqlite3_stmt;

namespace countersign::storage {

class SqlCipherDriver;

/// One prepared statement of a SqlCipherDriver connection. Rows are read straight from the
/// statement as it steps, without a copy; backwards navigation re-runs the statement.
class SqlCipherResult final : public QSqlResult {
public:
    explicit SqlCipherResult(const SqlCipherDriver* driver, sqlite3* db);
    ~SqlCipherResult() override;

    QVariant handle() const override;
    /// The Qt type for a column declared with \a declaredType, following SQLite's affinity rules.
    [[nodiscard]] static QMetaType metaTypeForDeclared(const QString& declaredType);

protected:
    bool prepare(const QString& query) override;
    bool reset(const QString& query) override;
    bool exec() override;
    bool fetch(int index) override;
    bool fetchNext() override;
    bool fetchFirst() override;
    bool fetchLast() override;
    QVariant data(int index) override;
    bool isNull(int index) override;
    int size() override;
    int numRowsAffected() override;
    QVariant lastInsertId() const override;
    QSqlRecord record() const override;
    void detachFromResultSet() override;

private:
    bool bindValues();
    bool step();
    bool rerunTo(int index);
    void finalize();
    void setStatementError(const QString& text, int code);

    sqlite3* m_db = nullptr;
    sqlite3_stmt* m_stmt = nullptr;
    QByteArray m_sql;          // what m_stmt was prepared from, to hand it back to the driver
    bool m_rowPending = false; // exec() stepped onto the first row, not yet handed out
    bool m_done = false;
    int m_rowsAffected = -1;
    qint64 m_lastInsertId = 0;
};

} // namespace countersign::storage
