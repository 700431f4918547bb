#include "sqlcipherdriver.h"

#include "keptstatements.h"
#include "sqlcipherresult.h"

#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlField>
#include <QSqlQuery>
#include <QSqlRecord>

#include <algorithm>
#include <cstring>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

namespace countersign::storage {

namespace {

// Every statement with the time SQLite spent on it, when asked for with
// QT_LOGGING_RULES="countersign.sql.debug=true" (how a write path is profiled).
Q_LOGGING_CATEGORY(lcSql, "countersign.sql", QtWarningMsg)

constexpr int DEFAULT_BUSY_TIMEOUT_MS = 5000;

int traceStatement(unsigned /*type*/, void* /*context*/, void* statement, void* nanoseconds)
{
    // The statement's text only: bound values are payloads and secrets, never logged.
    qCDebug(lcSql, "%8lld us  %s", static_cast<long long>(*static_cast<sqlite3_int64*>(nanoseconds) / 1000),
            sqlite3_sql(static_cast<sqlite3_stmt*>(statement)));
    return 0;
}

QSqlError makeError(sqlite3* db, const QString& text, QSqlError::ErrorType type, int code = -1)
{
    const int native = code >= 0 ? code : (db ? sqlite3_extended_errcode(db) : SQLITE_ERROR);
    const QString message = db ? QString::fromUtf8(sqlite3_errmsg(db)) : QString::fromUtf8(sqlite3_errstr(native));
    return QSqlError(text, message, type, QString::number(native));
}

// SQLCipher takes a raw key written as the blob literal x'<64 hex digits>' and then skips its own
// PBKDF2: our key already comes from Argon2id.
crypto::SecureBuffer keyLiteral(const crypto::SecureBuffer& key)
{
    crypto::SecureBuffer literal(key.size() * 2 + 3);
    const crypto::SecureBuffer hex = key.toHex();
    literal.data()[0] = 'x';
    literal.data()[1] = '\'';
    std::copy(hex.data(), hex.data() + hex.size(), literal.data() + 2);
    literal.data()[literal.size() - 1] = '\'';
    return literal;
}

/// The database and its -wal and -shm files are readable by their owner only. SQLite creates a
/// new database with mode 0644 and gives -wal and -shm the database file's mode, so a new file is
/// made here first, empty (SQLite takes an empty file for an empty database), with mode 0600;
/// files left more open by older versions are narrowed.
void makePrivate(const QByteArray& path, bool mayCreate)
{
    if (mayCreate) {
        const int fd = ::open(path.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd >= 0)
            ::close(fd);
    }
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
        const QByteArray file = path + QByteArray(suffix);
        struct stat info {};
        if (::stat(file.constData(), &info) == 0 && (info.st_mode & 077) != 0)
            (void)::chmod(file.constData(), info.st_mode & 0700);
    }
}

} // namespace

SqlCipherDriver::SqlCipherDriver(QObject* parent)
    : QSqlDriver(parent)
{
}

SqlCipherDriver::~SqlCipherDriver()
{
    close();
}

void SqlCipherDriver::setKey(crypto::SecureBuffer key)
{
    m_key = std::move(key);
}

bool SqlCipherDriver::hasFeature(DriverFeature feature) const
{
    switch (feature) {
    case Transactions:
    case BLOB:
    case Unicode:
    case PreparedQueries:
    case PositionalPlaceholders:
    case LastInsertId:
    case SimpleLocking:
    case FinishQuery:
    case LowPrecisionNumbers:
        return true;
    case QuerySize:
    case NamedPlaceholders:
    case BatchOperations:
    case EventNotifications:
    case MultipleResultSets:
    case CancelQuery:
        return false;
    }
    return false;
}

bool SqlCipherDriver::open(const QString& db, const QString& /*user*/, const QString& /*password*/,
                           const QString& /*host*/, int /*port*/, const QString& connectOptions)
{
    if (isOpen())
        close();

    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int busyTimeout = DEFAULT_BUSY_TIMEOUT_MS;
    const QStringList options = connectOptions.split(u';', Qt::SkipEmptyParts);
    for (const QString& raw : options) {
        const QString option = raw.trimmed();
        if (option == u"READONLY") {
            flags = SQLITE_OPEN_READONLY;
        } else if (option == u"NO_CREATE") {
            flags &= ~SQLITE_OPEN_CREATE;
        } else if (option.startsWith(u"BUSY_TIMEOUT=")) {
            bool ok = false;
            busyTimeout = option.mid(13).toInt(&ok);
            if (!ok || busyTimeout < 0) {
                setLastError(QSqlError(tr("Bad connect option"), option, QSqlError::ConnectionError));
                setOpenError(true);
                return false;
            }
        } else {
            setLastError(QSqlError(tr("Unknown connect option"), option, QSqlError::ConnectionError));
            setOpenError(true);
            return false;
        }
    }

    const QByteArray path = QFile::encodeName(db);
    if (db != u":memory:" && !db.isEmpty())
        makePrivate(path, (flags & SQLITE_OPEN_CREATE) != 0);
    // Each connection is used by one thread only (Qt Sql's rule): SQLite's per-connection mutex
    // would only cost time.
    const int rc = sqlite3_open_v2(path.constData(), &m_db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        setLastError(makeError(m_db, tr("Error opening database"), QSqlError::ConnectionError, rc));
        setOpenError(true);
        sqlite3_close_v2(m_db);
        m_db = nullptr;
        m_key.clear();
        return false;
    }
    sqlite3_extended_result_codes(m_db, 1);
    sqlite3_busy_timeout(m_db, busyTimeout);
    if (lcSql().isDebugEnabled())
        sqlite3_trace_v2(m_db, SQLITE_TRACE_PROFILE, traceStatement, nullptr);

    if (!m_key.isEmpty()) {
        const crypto::SecureBuffer literal = keyLiteral(m_key);
        const int keyRc = sqlite3_key(m_db, literal.data(), static_cast<int>(literal.size()));
        m_key.clear();
        if (keyRc != SQLITE_OK) {
            setLastError(makeError(m_db, tr("Cannot key the database"), QSqlError::ConnectionError, keyRc));
            setOpenError(true);
            sqlite3_close_v2(m_db);
            m_db = nullptr;
            return false;
        }
    }

    // Reading the schema is the first access that decrypts a page: a wrong key or a file that
    // is not a database fails here, before anything is written.
    const int readRc = sqlite3_exec(m_db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
    if (readRc != SQLITE_OK) {
        setLastError(makeError(m_db, tr("Cannot read the database"), QSqlError::ConnectionError, readRc));
        setOpenError(true);
        sqlite3_close_v2(m_db);
        m_db = nullptr;
        return false;
    }

    m_path = db;
    m_identity = fileIdentity(db);
    setOpen(true);
    setOpenError(false);
    return true;
}

std::optional<SqlCipherDriver::FileIdentity> SqlCipherDriver::fileIdentity(const QString& path)
{
    struct stat info {};
    if (path.isEmpty() || path == u":memory:" || ::stat(QFile::encodeName(path).constData(), &info) != 0)
        return std::nullopt;
    return FileIdentity{static_cast<quint64>(info.st_dev), static_cast<quint64>(info.st_ino)};
}

Result<void> SqlCipherDriver::checkFileIdentity() const
{
    if (!m_db || !m_identity)
        return {};
    const std::optional<FileIdentity> now = fileIdentity(m_path);
    if (!now)
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("the database file %1 was removed by another program while this process had it "
                                   "open; stopped using it so that nothing is written where it would be lost")
                        .arg(m_path));
    if (now->device != m_identity->device || now->inode != m_identity->inode)
        return fail(ErrorCode::Unavailable,
                    QStringLiteral("the database file %1 was replaced by another program while this process had it "
                                   "open; stopped using it so that nothing is written where it would be lost")
                        .arg(m_path));
    return {};
}

void SqlCipherDriver::close()
{
    if (!m_db)
        return;
    m_kept->clear();
    // sqlite3_close_v2 defers the close until every statement of a still-living QSqlQuery is
    // finalized, so closing never fails with SQLITE_BUSY.
    sqlite3_close_v2(m_db);
    m_db = nullptr;
    m_identity.reset();
    setOpen(false);
    setOpenError(false);
}

sqlite3_stmt* SqlCipherDriver::takeStatement(const QByteArray& sql) const
{
    return m_kept->take(sql);
}

void SqlCipherDriver::returnStatement(const QByteArray& sql, sqlite3_stmt* statement) const
{
    m_kept->give(sql, statement, m_db);
}

QSqlResult* SqlCipherDriver::createResult() const
{
    return new SqlCipherResult(this, m_db);
}

bool SqlCipherDriver::execSimple(const char* sql, QSqlError::ErrorType type)
{
    if (!m_db)
        return false;
    // Transaction control runs a few times per write: its statements are kept like any other.
    const QByteArray text = QByteArray::fromRawData(sql, static_cast<qsizetype>(std::strlen(sql)));
    sqlite3_stmt* statement = takeStatement(text);
    if (!statement && sqlite3_prepare_v2(m_db, sql, -1, &statement, nullptr) != SQLITE_OK) {
        setErrorFromDb(QString::fromUtf8(sql), type);
        return false;
    }
    const int rc = sqlite3_step(statement);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        setErrorFromDb(QString::fromUtf8(sql), type);
    returnStatement(QByteArray(sql), statement);
    return rc == SQLITE_DONE || rc == SQLITE_ROW;
}

void SqlCipherDriver::setErrorFromDb(const QString& text, QSqlError::ErrorType type)
{
    setLastError(makeError(m_db, text, type));
}

bool SqlCipherDriver::beginTransaction()
{
    // A write into a file that is no longer the database would vanish with the process.
    if (auto same = checkFileIdentity(); !same) {
        setLastError(QSqlError(same.error().message, QString(), QSqlError::TransactionError));
        return false;
    }
    // IMMEDIATE takes the write lock up front: a transaction never fails half-way on a lock
    // upgrade, it waits (busy timeout) or fails at BEGIN.
    return execSimple("BEGIN IMMEDIATE", QSqlError::TransactionError);
}

bool SqlCipherDriver::commitTransaction()
{
    if (!execSimple("COMMIT", QSqlError::TransactionError))
        return false;
    // What waited for this commit sees it on disk (synchronous=FULL); it may open the next one.
    std::vector<std::function<void()>> actions;
    actions.swap(m_afterCommit);
    m_savepointMarks.clear();
    for (const auto& action : actions)
        action();
    return true;
}

bool SqlCipherDriver::rollbackTransaction()
{
    m_afterCommit.clear();
    m_savepointMarks.clear();
    return execSimple("ROLLBACK", QSqlError::TransactionError);
}

void SqlCipherDriver::afterCommit(std::function<void()> action)
{
    if (!inTransaction()) {
        action();
        return;
    }
    m_afterCommit.push_back(std::move(action));
}

bool SqlCipherDriver::beginSavepoint()
{
    if (m_deferSavepoints) {
        m_savepointMarks.push_back({m_afterCommit.size(), sqlite3_total_changes(m_db), true});
        return true;
    }
    // SQLite savepoints nest; ROLLBACK TO and RELEASE act on the innermost of one name.
    if (!execSimple("SAVEPOINT countersign_unit", QSqlError::TransactionError))
        return false;
    m_savepointMarks.push_back({m_afterCommit.size(), 0, false});
    return true;
}

bool SqlCipherDriver::endSavepoint(bool keep)
{
    const SavepointMark mark =
        m_savepointMarks.empty() ? SavepointMark{m_afterCommit.size(), 0, false} : m_savepointMarks.back();
    if (!m_savepointMarks.empty())
        m_savepointMarks.pop_back();
    if (!keep)
        m_afterCommit.resize(std::min(mark.afterCommit, m_afterCommit.size()));
    if (mark.deferred) {
        // Nothing to undo when the unit changed no row before it failed.
        if (!keep && sqlite3_total_changes(m_db) != mark.changes)
            m_deferredUnitFailed = true;
        return true;
    }
    if (!keep && !execSimple("ROLLBACK TO countersign_unit", QSqlError::TransactionError))
        return false;
    return execSimple("RELEASE countersign_unit", QSqlError::TransactionError);
}

void SqlCipherDriver::deferSavepoints(bool on)
{
    m_deferSavepoints = on;
    m_deferredUnitFailed = false;
}

QStringList SqlCipherDriver::tables(QSql::TableType type) const
{
    QStringList result;
    if (!isOpen())
        return result;
    QString sql;
    if (type & QSql::Tables)
        sql = QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
    if (type & QSql::Views)
        sql += (sql.isEmpty() ? QString() : QStringLiteral(" UNION ALL ")) +
               QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'view'");
    if (type & QSql::SystemTables)
        sql += (sql.isEmpty() ? QString() : QStringLiteral(" UNION ALL ")) + QStringLiteral("SELECT 'sqlite_master'");
    if (sql.isEmpty())
        return result;
    QSqlQuery query(createResult());
    query.setForwardOnly(true);
    if (query.exec(sql)) {
        while (query.next())
            result.append(query.value(0).toString());
    }
    return result;
}

QSqlRecord SqlCipherDriver::record(const QString& tableName) const
{
    QSqlRecord record;
    if (!isOpen())
        return record;
    QSqlQuery query(createResult());
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("PRAGMA table_info(") + escapeIdentifier(tableName, TableName) + u')'))
        return record;
    while (query.next()) {
        QSqlField field(query.value(1).toString(), SqlCipherResult::metaTypeForDeclared(query.value(2).toString()),
                        tableName);
        field.setRequiredStatus(query.value(3).toInt() != 0 ? QSqlField::Required : QSqlField::Optional);
        field.setDefaultValue(query.value(4));
        record.append(field);
    }
    return record;
}

QString SqlCipherDriver::escapeIdentifier(const QString& identifier, IdentifierType /*type*/) const
{
    QString escaped = identifier;
    if (escaped.startsWith(u'"') && escaped.endsWith(u'"') && escaped.size() >= 2)
        return escaped;
    escaped.replace(u'"', QStringLiteral("\"\""));
    return u'"' + escaped + u'"';
}

QVariant SqlCipherDriver::handle() const
{
    return QVariant::fromValue(static_cast<void*>(m_db));
}

Result<void> SqlCipherDriver::executeScript(const QString& sql)
{
    if (!m_db)
        return fail(ErrorCode::Storage, QStringLiteral("the database is not open"));
    char* message = nullptr;
    const QByteArray utf8 = sql.toUtf8();
    const int rc = sqlite3_exec(m_db, utf8.constData(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
        const QString text = message ? QString::fromUtf8(message) : QString::fromUtf8(sqlite3_errstr(rc));
        sqlite3_free(message);
        return fail(ErrorCode::Storage, text);
    }
    return {};
}

bool SqlCipherDriver::inTransaction() const
{
    return m_db && sqlite3_get_autocommit(m_db) == 0;
}

QString SqlCipherDriver::cipherVersion() const
{
    if (!m_db)
        return {};
    sqlite3_stmt* stmt = nullptr;
    QString version;
    if (sqlite3_prepare_v2(m_db, "PRAGMA cipher_version", -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
        version = QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    }
    sqlite3_finalize(stmt);
    return version;
}

Result<void> SqlCipherDriver::exportTo(const QString& path, const crypto::SecureBuffer& key)
{
    if (!m_db)
        return fail(ErrorCode::Storage, QStringLiteral("the database is not open"));
    // The new key travels as a bound blob in the blob-literal form, never inside SQL text.
    const crypto::SecureBuffer literal = keyLiteral(key);

    auto run = [this](const char* sql, auto&& bind) -> Result<void> {
        sqlite3_stmt* stmt = nullptr;
        int rc = sqlite3_prepare_v2(m_db, sql, -1, &stmt, nullptr);
        if (rc == SQLITE_OK) {
            bind(stmt);
            rc = sqlite3_step(stmt);
            while (rc == SQLITE_ROW)
                rc = sqlite3_step(stmt);
        }
        sqlite3_finalize(stmt);
        if (rc != SQLITE_DONE && rc != SQLITE_OK)
            return fail(ErrorCode::Storage, QString::fromUtf8(sqlite3_errmsg(m_db)));
        return {};
    };
    // ATTACH opens with the main connection's flags, which lack CREATE for an existing vault:
    // start from an empty file, which SQLite treats as an empty database.
    QFile targetFile(path);
    if (!targetFile.open(QIODevice::WriteOnly | QIODevice::NewOnly))
        return fail(ErrorCode::Io, QStringLiteral("cannot create %1: %2").arg(path, targetFile.errorString()));
    targetFile.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    targetFile.close();
    const QByteArray target = QFile::encodeName(path);
    auto attached = run("ATTACH DATABASE ?1 AS rekeyed KEY ?2", [&](sqlite3_stmt* stmt) {
        sqlite3_bind_text(stmt, 1, target.constData(), static_cast<int>(target.size()), SQLITE_TRANSIENT);
        sqlite3_bind_blob(stmt, 2, literal.data(), static_cast<int>(literal.size()), SQLITE_STATIC);
    });
    if (!attached)
        return attached;
    auto exported = run("SELECT sqlcipher_export('rekeyed')", [](sqlite3_stmt*) {});
    if (exported) {
        // sqlcipher_export copies schema and rows but not the header's user_version.
        sqlite3_stmt* stmt = nullptr;
        int version = 0;
        if (sqlite3_prepare_v2(m_db, "PRAGMA main.user_version", -1, &stmt, nullptr) == SQLITE_OK &&
            sqlite3_step(stmt) == SQLITE_ROW)
            version = sqlite3_column_int(stmt, 0);
        sqlite3_finalize(stmt);
        const QByteArray pragma = "PRAGMA rekeyed.user_version = " + QByteArray::number(version);
        exported = run(pragma.constData(), [](sqlite3_stmt*) {});
    }
    auto detached = run("DETACH DATABASE rekeyed", [](sqlite3_stmt*) {});
    if (!exported)
        return exported;
    return detached;
}

} // namespace countersign::storage
