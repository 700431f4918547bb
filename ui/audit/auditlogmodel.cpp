#include "audit/auditlogmodel.h"

#include "audit/auditnames.h"
#include "common/plaintooltip.h"

#include <QFont>
#include <QGuiApplication>
#include <QLocale>
#include <QPalette>

namespace countersign::ui {

namespace {

constexpr qint64 PAGE_SIZE = 256;
constexpr qsizetype MAX_PAGES = 64;

} // namespace

bool AuditLogModel::Filter::isEmpty() const
{
    return actor.isEmpty() && action.isEmpty() && subject.isEmpty() && !from.isValid() && !to.isValid();
}

AuditLogModel::AuditLogModel(QSqlDatabase db, AuditNames* names, QObject* parent)
    : QAbstractTableModel(parent)
    , m_store(std::move(db))
    , m_names(names)
{
    reload();
}

int AuditLogModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid())
        return 0;
    return static_cast<int>(m_filtered ? m_matches.size() : m_count);
}

int AuditLogModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AuditLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Seq:
        return tr("#");
    case Time:
        return tr("Time (UTC)");
    case Actor:
        return tr("Actor");
    case Action:
        return tr("Action");
    case Subject:
        return tr("Subject");
    default:
        return {};
    }
}

qint64 AuditLogModel::seqAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return 0;
    return m_filtered ? m_matches.at(row) : row + 1;
}

int AuditLogModel::rowOfSeq(qint64 seq) const
{
    if (!m_filtered)
        return seq >= 1 && seq <= m_count ? static_cast<int>(seq - 1) : -1;
    const auto it = std::lower_bound(m_matches.cbegin(), m_matches.cend(), seq);
    return it != m_matches.cend() && *it == seq ? static_cast<int>(it - m_matches.cbegin()) : -1;
}

const audit::AuditEntry* AuditLogModel::entryBySeq(qint64 seq) const
{
    const qint64 page = (seq - 1) / PAGE_SIZE;
    auto found = m_pages.constFind(page);
    if (found == m_pages.cend()) {
        auto entries = m_store.range(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
        if (!entries)
            return nullptr;
        if (m_pageOrder.size() >= MAX_PAGES)
            m_pages.remove(m_pageOrder.takeFirst());
        m_pageOrder.append(page);
        found = m_pages.insert(page, *entries);
    }
    for (const audit::AuditEntry& entry : *found) {
        if (entry.seq == seq)
            return &entry;
    }
    return nullptr;
}

QVariant AuditLogModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const audit::AuditEntry* entry = entryBySeq(seqAt(index.row()));
    if (!entry)
        return {};
    const bool named = index.column() == Actor || index.column() == Subject;
    const QString& reference = index.column() == Actor ? entry->actor : entry->subject;
    const auto nameOf = [&] {
        return m_names ? m_names->name(reference) : AuditNames::Named{AuditNames::Kind::Other, reference, {}, true};
    };
    const auto requestId = [&]() -> QString {
        if (index.column() != Subject || !m_names)
            return {};
        const AuditNames::Named name = nameOf();
        return name.kind == AuditNames::Kind::Request && name.known ? name.id : QString();
    };
    switch (role) {
    case ReferenceRole:
        return named ? QVariant(reference) : QVariant();
    case RequestIdRole: {
        const QString id = requestId();
        return id.isEmpty() ? QVariant() : QVariant(id);
    }
    case Qt::ToolTipRole: {
        if (index.column() == Time)
            return QDateTime::fromMSecsSinceEpoch(entry->timestampMs, Qt::UTC).toString(Qt::ISODateWithMs);
        if (!named)
            return plainToolTip(data(index, Qt::DisplayRole).toString());
        const AuditNames::Named name = nameOf();
        QString tip = reference.isEmpty()
                          ? tr("%1 itself: the chain records no actor for what it does on its own").arg(name.text)
                      : name.text == reference ? reference
                                               : tr("%1\n%2").arg(name.text, reference);
        if (!requestId().isEmpty())
            tip += u'\n' + tr("Click to open the request: in the queue while it waits, in History after.");
        else if (!name.known)
            tip += u'\n' + tr("This vault holds nothing by that name.");
        return plainToolTip(tip);
    }
    case Qt::ForegroundRole:
        // A request the entry names reads as a link to it.
        return requestId().isEmpty() ? QVariant() : QVariant(QGuiApplication::palette().brush(QPalette::Link));
    case Qt::FontRole: {
        if (requestId().isEmpty())
            return {};
        QFont font;
        font.setUnderline(true);
        return font;
    }
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case Seq:
        return entry->seq;
    case Time:
        return QDateTime::fromMSecsSinceEpoch(entry->timestampMs, Qt::UTC)
            .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
    case Actor:
    case Subject:
        return nameOf().text;
    case Action:
        return entry->action;
    default:
        return {};
    }
}

std::optional<audit::AuditEntry> AuditLogModel::entryAt(int row) const
{
    const audit::AuditEntry* entry = entryBySeq(seqAt(row));
    return entry ? std::optional(*entry) : std::nullopt;
}

void AuditLogModel::setFilter(const Filter& filter)
{
    m_filter = filter;
    reload();
}

void AuditLogModel::follow(qint64 headSeq)
{
    if (m_filtered) {
        reload();
        return;
    }
    if (headSeq <= m_count)
        return;
    // The cached page holding the old tail was read short; it is read again when shown.
    m_pages.clear();
    m_pageOrder.clear();
    const int before = static_cast<int>(m_count);
    beginInsertRows({}, before, static_cast<int>(headSeq - 1));
    m_count = headSeq;
    endInsertRows();
    // What the new entries did may change how earlier ones read: a member removed is named so.
    if (m_names && before > 0) {
        m_names->forget();
        Q_EMIT dataChanged(index(0, Actor), index(before - 1, Subject));
    }
}

void AuditLogModel::reload()
{
    beginResetModel();
    if (m_names)
        m_names->forget();
    m_pages.clear();
    m_pageOrder.clear();
    m_loaded = {};
    m_filtered = !m_filter.isEmpty();
    m_matches.clear();
    if (!m_filtered) {
        auto last = m_store.lastSeq();
        if (last)
            m_count = *last;
        else
            m_loaded = std::unexpected(last.error());
    } else {
        auto matches = m_store.matching(audit::AuditStore::Filter{
            m_filter.actor, m_filter.actorAlternatives, m_filter.action, m_filter.subject, m_filter.from, m_filter.to});
        if (matches)
            m_matches = std::move(*matches);
        else
            m_loaded = std::unexpected(matches.error());
    }
    endResetModel();
}

} // namespace countersign::ui
