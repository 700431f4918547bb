#include "sqlcipherresult.h"

#include "sqlcipherdriver.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlField>
#include <QSqlRecord>

#include <sqlite3.h>

#include <limits>

namespace countersign::storage {

namespace {

QMetaType columnMetaType(sqlite3_stmt* stmt, int column)
{
    if (const char* declared = sqlite3_column_decltype(stmt, column))
        return SqlCipherResult::metaTypeForDeclared(QString::fromUtf8(declared));
    switch (sqlite3_column_type(stmt, column)) {
    case SQLITE_INTEGER:
        return QMetaType::fromType<qlonglong>();
    case SQLITE_FLOAT:
        return QMetaType::fromType<double>();
    case SQLITE_BLOB:
        return QMetaType::fromType<QByteArray>();
    default:
        return QMetaType::fromType<QString>();
    }
}

} // namespace

QMetaType SqlCipherResult::metaTypeForDeclared(const QString& declaredType)
{
    // SQLite's column affinity rules (datatype3.html section 3.1), reduced to Qt's types.
    const QString type = declaredType.toLower();
    if (type.contains(u"int"))
        return QMetaType::fromType<qlonglong>();
    if (type.contains(u"real") || type.contains(u"floa") || type.contains(u"doub"))
        return QMetaType::fromType<double>();
    if (type.contains(u"blob") || type.isEmpty())
        return QMetaType::fromType<QByteArray>();
    return QMetaType::fromType<QString>();
}

SqlCipherResult::SqlCipherResult(const SqlCipherDriver* driver, sqlite3* db)
    : QSqlResult(driver)
    , m_db(db)
{
}

SqlCipherResult::~SqlCipherResult()
{
    finalize();
}

QVariant SqlCipherResult::handle() const
{
    return QVariant::fromValue(static_cast<void*>(m_stmt));
}

void SqlCipherResult::finalize()
{
    if (m_stmt) {
        if (const auto* owner = qobject_cast<const SqlCipherDriver*>(driver()))
            owner->returnStatement(m_sql, m_stmt);
        else
            sqlite3_finalize(m_stmt);
    }
    m_stmt = nullptr;
    m_sql.clear();
    m_rowPending = false;
    m_done = false;
}

void SqlCipherResult::setStatementError(const QString& text, int code)
{
    const QString message = m_db ? QString::fromUtf8(sqlite3_errmsg(m_db)) : QString::fromUtf8(sqlite3_errstr(code));
    setLastError(QSqlError(text, message, QSqlError::StatementError, QString::number(code)));
}

bool SqlCipherResult::prepare(const QString& query)
{
    finalize();
    setActive(false);
    setAt(QSql::BeforeFirstRow);
    if (!m_db || !driver() || !driver()->isOpen()) {
        setLastError(QSqlError(QStringLiteral("Database is not open"), QString(), QSqlError::ConnectionError));
        return false;
    }
    QByteArray sql = query.toUtf8();
    if (const auto* owner = qobject_cast<const SqlCipherDriver*>(driver()); owner && owner->nativeHandle() == m_db) {
        if ((m_stmt = owner->takeStatement(sql))) {
            m_sql = std::move(sql);
            return true;
        }
    }
    const char* tail = nullptr;
    const int rc = sqlite3_prepare_v2(m_db, sql.constData(), static_cast<int>(sql.size()), &m_stmt, &tail);
    m_sql = sql;
    if (rc != SQLITE_OK) {
        setStatementError(QStringLiteral("Unable to prepare statement"), sqlite3_extended_errcode(m_db));
        finalize();
        return false;
    }
    if (tail && !QByteArray(tail).trimmed().isEmpty()) {
        setLastError(QSqlError(QStringLiteral("Unable to prepare statement"),
                               QStringLiteral("a query holds exactly one statement"), QSqlError::StatementError));
        sqlite3_finalize(m_stmt); // never kept: it would pass for the whole text next time
        m_stmt = nullptr;
        finalize();
        return false;
    }
    if (!m_stmt) {
        setLastError(QSqlError(QStringLiteral("Unable to prepare statement"), QStringLiteral("the query is empty"),
                               QSqlError::StatementError));
        return false;
    }
    return true;
}

bool SqlCipherResult::reset(const QString& query)
{
    if (!prepare(query))
        return false;
    return exec();
}

bool SqlCipherResult::bindValues()
{
    const QList<QVariant> values = boundValues();
    const int expected = sqlite3_bind_parameter_count(m_stmt);
    if (values.size() != expected) {
        setLastError(QSqlError(QStringLiteral("Parameter count mismatch"),
                               QStringLiteral("the statement has %1 placeholders but %2 values were bound")
                                   .arg(expected)
                                   .arg(values.size()),
                               QSqlError::StatementError));
        return false;
    }
    for (int i = 0; i < expected; ++i) {
        const QVariant& value = values.at(i);
        const int position = i + 1;
        int rc = SQLITE_OK;
        if (value.isNull()) {
            rc = sqlite3_bind_null(m_stmt, position);
        } else {
            switch (value.metaType().id()) {
            case QMetaType::Bool:
            case QMetaType::Int:
            case QMetaType::Short:
            case QMetaType::Char:
            case QMetaType::SChar:
            case QMetaType::UChar:
            case QMetaType::UShort:
            case QMetaType::UInt:
            case QMetaType::Long:
            case QMetaType::LongLong:
                rc = sqlite3_bind_int64(m_stmt, position, value.toLongLong());
                break;
            case QMetaType::ULong:
            case QMetaType::ULongLong: {
                const qulonglong unsignedValue = value.toULongLong();
                if (unsignedValue > static_cast<qulonglong>(std::numeric_limits<qint64>::max())) {
                    setLastError(
                        QSqlError(QStringLiteral("Unable to bind value"),
                                  QStringLiteral("value %1 does not fit a 64-bit signed integer").arg(unsignedValue),
                                  QSqlError::StatementError));
                    return false;
                }
                rc = sqlite3_bind_int64(m_stmt, position, static_cast<qint64>(unsignedValue));
                break;
            }
            case QMetaType::Double:
            case QMetaType::Float:
                rc = sqlite3_bind_double(m_stmt, position, value.toDouble());
                break;
            case QMetaType::QByteArray: {
                const QByteArray bytes = value.toByteArray();
                rc = sqlite3_bind_blob64(m_stmt, position, bytes.constData(), static_cast<sqlite3_uint64>(bytes.size()),
                                         SQLITE_TRANSIENT);
                break;
            }
            case QMetaType::QDateTime: {
                const QByteArray text = value.toDateTime().toUTC().toString(Qt::ISODateWithMs).toUtf8();
                rc = sqlite3_bind_text64(m_stmt, position, text.constData(), static_cast<sqlite3_uint64>(text.size()),
                                         SQLITE_TRANSIENT, SQLITE_UTF8);
                break;
            }
            default: {
                if (!value.canConvert<QString>()) {
                    setLastError(QSqlError(
                        QStringLiteral("Unable to bind value"),
                        QStringLiteral("values of type %1 cannot be stored").arg(QString::fromLatin1(value.typeName())),
                        QSqlError::StatementError));
                    return false;
                }
                const QByteArray text = value.toString().toUtf8();
                rc = sqlite3_bind_text64(m_stmt, position, text.constData(), static_cast<sqlite3_uint64>(text.size()),
                                         SQLITE_TRANSIENT, SQLITE_UTF8);
                break;
            }
            }
        }
        if (rc != SQLITE_OK) {
            setStatementError(QStringLiteral("Unable to bind value"), rc);
            return false;
        }
    }
    return true;
}

bool SqlCipherResult::exec()
{
    if (!m_stmt) {
        setLastError(QSqlError(QStringLiteral("Unable to execute statement"), QStringLiteral("nothing is prepared"),
                               QSqlError::StatementError));
        return false;
    }
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
    setAt(QSql::BeforeFirstRow);
    setActive(false);
    m_rowPending = false;
    m_done = false;
    m_rowsAffected = -1;
    if (!bindValues())
        return false;

    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) {
        m_rowPending = true;
    } else if (rc == SQLITE_DONE) {
        m_done = true;
    } else {
        setStatementError(QStringLiteral("Unable to execute statement"), sqlite3_extended_errcode(m_db));
        sqlite3_reset(m_stmt);
        return false;
    }
    const bool isSelectStatement = sqlite3_column_count(m_stmt) > 0;
    setSelect(isSelectStatement);
    if (!isSelectStatement) {
        m_rowsAffected = sqlite3_changes(m_db);
        m_lastInsertId = sqlite3_last_insert_rowid(m_db);
    }
    setActive(true);
    return true;
}

bool SqlCipherResult::step()
{
    if (m_rowPending) {
        m_rowPending = false;
        return true;
    }
    if (m_done || !m_stmt)
        return false;
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    m_done = true;
    if (rc != SQLITE_DONE)
        setStatementError(QStringLiteral("Unable to fetch row"), sqlite3_extended_errcode(m_db));
    return false;
}

bool SqlCipherResult::fetchNext()
{
    if (!isSelect() || !isActive())
        return false;
    if (!step())
        return false;
    setAt(at() < 0 ? 0 : at() + 1);
    return true;
}

bool SqlCipherResult::rerunTo(int index)
{
    // SQLite statements only step forwards; going back means running the statement again.
    if (!exec())
        return false;
    for (int i = 0; i <= index; ++i) {
        if (!step())
            return false;
    }
    setAt(index);
    return true;
}

bool SqlCipherResult::fetch(int index)
{
    if (index < 0 || !isSelect() || !isActive())
        return false;
    if (index == at())
        return true;
    if (index < at()) {
        if (isForwardOnly())
            return false;
        return rerunTo(index);
    }
    while (at() < index) {
        if (!fetchNext())
            return false;
    }
    return true;
}

bool SqlCipherResult::fetchFirst()
{
    if (at() == QSql::BeforeFirstRow)
        return fetchNext();
    return fetch(0);
}

bool SqlCipherResult::fetchLast()
{
    if (!isSelect() || !isActive())
        return false;
    int last = at() < 0 ? -1 : at();
    int counted = last;
    while (step())
        ++counted;
    if (counted < 0)
        return false;
    if (counted == last)
        return rerunTo(last); // already on the last row, but the statement ran past it
    return rerunTo(counted);
}

QVariant SqlCipherResult::data(int index)
{
    if (!m_stmt || at() < 0 || index < 0 || index >= sqlite3_column_count(m_stmt))
        return {};
    switch (sqlite3_column_type(m_stmt, index)) {
    case SQLITE_INTEGER: {
        const qint64 value = sqlite3_column_int64(m_stmt, index);
        // Integers stay 64-bit whatever the precision policy, except when 32-bit is asked for;
        // LowPrecisionDouble (Qt's default) concerns floating-point columns only.
        if (numericalPrecisionPolicy() == QSql::LowPrecisionInt32)
            return static_cast<int>(value);
        return value;
    }
    case SQLITE_FLOAT:
        return sqlite3_column_double(m_stmt, index);
    case SQLITE_BLOB: {
        const void* blob = sqlite3_column_blob(m_stmt, index);
        const int bytes = sqlite3_column_bytes(m_stmt, index);
        return QByteArray(static_cast<const char*>(blob), bytes);
    }
    case SQLITE_NULL:
        return QVariant(columnMetaType(m_stmt, index));
    default: {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, index));
        const int bytes = sqlite3_column_bytes(m_stmt, index);
        return QString::fromUtf8(text, bytes);
    }
    }
}

bool SqlCipherResult::isNull(int index)
{
    if (!m_stmt || at() < 0 || index < 0 || index >= sqlite3_column_count(m_stmt))
        return true;
    return sqlite3_column_type(m_stmt, index) == SQLITE_NULL;
}

int SqlCipherResult::size()
{
    return -1; // SQLite cannot know a result's size without running it to the end
}

int SqlCipherResult::numRowsAffected()
{
    return m_rowsAffected;
}

QVariant SqlCipherResult::lastInsertId() const
{
    if (m_rowsAffected <= 0)
        return {};
    return m_lastInsertId;
}

QSqlRecord SqlCipherResult::record() const
{
    QSqlRecord record;
    if (!m_stmt || !isSelect())
        return record;
    const int columns = sqlite3_column_count(m_stmt);
    for (int i = 0; i < columns; ++i) {
        const char* table = sqlite3_column_table_name(m_stmt, i);
        QSqlField field(QString::fromUtf8(sqlite3_column_name(m_stmt, i)), columnMetaType(m_stmt, i),
                        table ? QString::fromUtf8(table) : QString());
        record.append(field);
    }
    return record;
}

void SqlCipherResult::detachFromResultSet()
{
    if (m_stmt)
        sqlite3_reset(m_stmt);
    m_rowPending = false;
    m_done = true;
}

} // namespace countersign::storage
