#include "keptstatements.h"

#include <sqlite3.h>

namespace countersign::storage {

sqlite3_stmt* KeptStatements::take(const QByteArray& sql)
{
    const auto found = m_kept.find(sql);
    if (found == m_kept.end() || found->empty())
        return nullptr;
    sqlite3_stmt* statement = found->back().statement;
    found->pop_back();
    if (found->empty())
        m_kept.erase(found);
    --m_count;
    return statement;
}

void KeptStatements::give(const QByteArray& sql, sqlite3_stmt* statement, sqlite3* db)
{
    if (!statement)
        return;
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
    if (!db || sqlite3_db_handle(statement) != db) {
        sqlite3_finalize(statement);
        return;
    }
    if (m_count >= CAPACITY)
        evictOldest();
    m_kept[sql].push_back({statement, ++m_gives});
    ++m_count;
}

void KeptStatements::evictOldest()
{
    auto oldest = m_kept.end();
    std::size_t oldestIndex = 0;
    for (auto it = m_kept.begin(); it != m_kept.end(); ++it) {
        for (std::size_t i = 0; i < it->size(); ++i) {
            if (oldest == m_kept.end() || (*it)[i].given < (*oldest)[oldestIndex].given) {
                oldest = it;
                oldestIndex = i;
            }
        }
    }
    if (oldest == m_kept.end())
        return;
    sqlite3_finalize((*oldest)[oldestIndex].statement);
    oldest->erase(oldest->begin() + static_cast<std::ptrdiff_t>(oldestIndex));
    if (oldest->empty())
        m_kept.erase(oldest);
    --m_count;
}

void KeptStatements::clear()
{
    for (const std::vector<Kept>& statements : std::as_const(m_kept))
        for (const Kept& kept : statements)
            sqlite3_finalize(kept.statement);
    m_kept.clear();
    m_count = 0;
}

} // namespace countersign::storage
