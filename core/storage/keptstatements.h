#pragma once

#include <QByteArray>
#include <QHash>

#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace countersign::storage {

/// The idle prepared statements of one SQLite connection, by their SQL text. A query done with
/// its statement gives it back here instead of finalizing it, and the next query of the same
/// text takes it: every query of the app is one of a few hundred texts, and parsing one costs
/// more than running most of them. At most CAPACITY are kept, the least recently given back
/// going first. Used by one thread, like its connection.
class KeptStatements final {
public:
    static constexpr int CAPACITY = 128;

    KeptStatements() = default;
    ~KeptStatements() { clear(); }
    KeptStatements(const KeptStatements&) = delete;
    KeptStatements& operator=(const KeptStatements&) = delete;

    /// An idle statement prepared from exactly \a sql, or null.
    [[nodiscard]] sqlite3_stmt* take(const QByteArray& sql);
    /// Takes back \a statement (prepared from \a sql) reset and with its bindings cleared, so
    /// bound payloads and secrets do not outlive their query; a statement of a connection other
    /// than \a db (or of a closed one, \a db null) is finalized instead.
    void give(const QByteArray& sql, sqlite3_stmt* statement, sqlite3* db);
    /// Finalizes every kept statement (before the connection closes).
    void clear();

private:
    struct Kept {
        sqlite3_stmt* statement = nullptr;
        quint64 given = 0; // when it was given back, for evicting the least recently used
    };
    void evictOldest();

    QHash<QByteArray, std::vector<Kept>> m_kept;
    int m_count = 0;
    quint64 m_gives = 0;
};

} // namespace countersign::storage
