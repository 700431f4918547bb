#include "queue/queuetab.h"

#include "approvals/requestservice.h"
#include "common/columndropper.h"
#include "common/durationtext.h"
#include "common/emptystate.h"
#include "common/messagelabel.h"
#include "common/minimumscrollarea.h"
#include "common/riskbadge.h"
#include "common/riskbadgedelegate.h"
#include "queue/errortext.h"
#include "queue/requestdetailview.h"
#include "queue/requestqueuemodel.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QShortcut>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace countersign::ui {

QueueTab::QueueTab(approvals::RequestService& requests, approvals::RequestEvents& events, QString memberId,
                   QWidget* parent)
    : QWidget(parent)
    , m_requests(requests)
    , m_memberId(std::move(memberId))
    , m_model(new RequestQueueModel(requests, events, this))
    , m_proxy(new QueueFilterProxy(this))
    , m_filter(new QLineEdit(this))
    , m_filterStatus(new QLabel(this))
    , m_view(new QTableView(this))
    , m_detail(new RequestDetailView(this))
    , m_reason(new QLineEdit(this))
    , m_approve(new QPushButton(tr("&Approve"), this))
    , m_deny(new QPushButton(tr("&Deny"), this))
    , m_bulkDeny(new QPushButton(tr("Den&y selected"), this))
    , m_extend(new QPushButton(tr("&Extend by %1").arg(durationText(EXTEND_SECONDS)), this))
    , m_message(new MessageLabel(this))
    , m_criticalBanner(new QWidget(this))
    , m_criticalMark(new QLabel(m_criticalBanner))
    , m_criticalCount(new QLabel(m_criticalBanner))
    , m_empty(new EmptyState(m_view, QStringLiteral("queueEmptyState"), m_model))
{
    setObjectName(QStringLiteral("queueTab"));
    m_proxy->setSourceModel(m_model);
    m_filter->setObjectName(QStringLiteral("queueFilter"));
    m_filter->setAccessibleName(tr("Filter requests"));
    m_filter->setPlaceholderText(tr("Filter: words, runtime:NAME, cap:PREFIX, risk:high or risk:high+"));
    m_filter->setClearButtonEnabled(true);
    m_filterStatus->setObjectName(QStringLiteral("filterStatus"));
    m_filterStatus->setAccessibleName(tr("Filter result"));
    m_filterStatus->setTextFormat(Qt::PlainText); // it quotes what was typed
    m_empty->setMessage(tr("No requests waiting."));
    m_view->setObjectName(QStringLiteral("queueView"));
    m_view->setAccessibleName(tr("Pending requests"));
    m_view->setModel(m_proxy);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setSortingEnabled(true);
    // Most urgent first: critical before high before medium before low, the oldest first within
    // each (the proxy's risk order breaks ties by age).
    m_view->sortByColumn(RequestQueueModel::Risk, Qt::DescendingOrder);
    m_view->setItemDelegateForColumn(RequestQueueModel::Risk,
                                     new RiskBadgeDelegate(RequestQueueModel::RiskRole, m_view));
    m_view->verticalHeader()->hide();
    m_view->setWordWrap(false);
    // Widths from the font, not from measuring thousands of rows (which ResizeToContents does
    // on every refilter); the summary takes the rest. The person can still drag any column.
    QHeaderView* header = m_view->horizontalHeader();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionResizeMode(RequestQueueModel::Summary, QHeaderView::Stretch);
    const QFontMetrics metrics = m_view->fontMetrics();
    const std::pair<int, QString> samples[] = {{RequestQueueModel::Age, durationText(599)},
                                               {RequestQueueModel::Runtime, QStringLiteral("coding-agent-7")},
                                               {RequestQueueModel::Capability, QStringLiteral("deploy.worker")},
                                               {RequestQueueModel::Approvals, QStringLiteral("Approvals")},
                                               {RequestQueueModel::TimeLeft, durationText(599)}};
    for (const auto& [column, sample] : samples)
        m_view->setColumnWidth(column, metrics.horizontalAdvance(sample) + 4 * metrics.averageCharWidth());
    m_view->setColumnWidth(RequestQueueModel::Risk,
                           std::max(RiskBadge::badgeSize(policy::Risk::Critical, m_view->font()).width(),
                                    metrics.horizontalAdvance(tr("Risk"))) +
                               3 * metrics.averageCharWidth());
    // A narrow window drops columns before the list scrolls sideways. Risk and summary say what
    // is asked and how dangerous it is: they always stay. The rest leave in this order: approvals
    // (the detail header shows them too), age (time left matters more to a decision), capability
    // (the summary says what is asked), time left, and last the runtime (who asks).
    new ColumnDropper(m_view,
                      {RequestQueueModel::Approvals, RequestQueueModel::Age, RequestQueueModel::Capability,
                       RequestQueueModel::TimeLeft, RequestQueueModel::Runtime},
                      RequestQueueModel::Summary, metrics.averageCharWidth() * 20);
    m_extend->setObjectName(QStringLiteral("extendButton"));
    m_extend->setAccessibleName(tr("Extend the deadline by 15 minutes"));
    m_reason->setObjectName(QStringLiteral("reasonEdit"));
    m_reason->setAccessibleName(tr("Reason"));
    m_reason->setPlaceholderText(tr("Reason (required for high and critical risk)"));
    m_reason->setMaxLength(1000);
    m_approve->setObjectName(QStringLiteral("approveButton"));
    m_approve->setAccessibleName(tr("Approve"));
    m_deny->setObjectName(QStringLiteral("denyButton"));
    m_deny->setAccessibleName(tr("Deny"));
    m_bulkDeny->setObjectName(QStringLiteral("bulkDenyButton"));
    m_bulkDeny->setAccessibleName(tr("Deny all selected requests"));
    m_message->setObjectName(QStringLiteral("decisionMessage"));
    m_message->setAccessibleName(tr("Decision message"));

    // Critical requests never wait unseen below the fold: their count stands above the list.
    m_criticalBanner->setObjectName(QStringLiteral("criticalBanner"));
    m_criticalBanner->setAutoFillBackground(true);
    m_criticalCount->setObjectName(QStringLiteral("criticalCount"));
    m_criticalCount->setAccessibleName(tr("Critical requests waiting"));
    QFont strong = m_criticalCount->font();
    strong.setBold(true);
    m_criticalCount->setFont(strong);
    m_criticalMark->setAccessibleName(tr("Critical risk mark"));
    auto* bannerLayout = new QHBoxLayout(m_criticalBanner);
    bannerLayout->setContentsMargins(6, 3, 6, 3);
    bannerLayout->addWidget(m_criticalMark);
    bannerLayout->addWidget(m_criticalCount, 1);

    // The request's details scroll when the window is short; what decides stays in sight below.
    auto* detailScroll = new MinimumScrollArea(m_detail, this);
    detailScroll->setObjectName(QStringLiteral("detailScroll"));
    detailScroll->setAccessibleName(tr("Request details"));
    detailScroll->setFocusPolicy(Qt::NoFocus);
    detailScroll->setFrameShape(QFrame::NoFrame);
    auto* detailSide = new QWidget(this);
    auto* detailLayout = new QVBoxLayout(detailSide);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    detailLayout->addWidget(detailScroll, 1);
    auto* tools = new QHBoxLayout;
    tools->addWidget(m_extend);
    tools->addStretch();
    detailLayout->addLayout(tools);
    detailLayout->addWidget(m_reason);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_approve);
    buttons->addWidget(m_deny);
    buttons->addStretch();
    buttons->addWidget(m_bulkDeny);
    detailLayout->addLayout(buttons);
    detailLayout->addWidget(m_message);
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(m_view);
    splitter->addWidget(detailSide);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setSizes({720, 460});
    auto* layout = new QVBoxLayout(this);
    auto* filterRow = new QHBoxLayout;
    filterRow->addWidget(m_filter, 1);
    filterRow->addWidget(m_filterStatus);
    layout->addLayout(filterRow);
    layout->addWidget(m_criticalBanner);
    layout->addWidget(splitter, 1);
    setTabOrder(m_filter, m_view);
    setTabOrder(m_view, m_reason);
    setTabOrder(m_reason, m_approve);
    setTabOrder(m_approve, m_deny);
    setTabOrder(m_deny, m_bulkDeny);
    setTabOrder(m_bulkDeny, m_extend);

    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QueueFilterProxy::setFilterText);
    connect(m_filter, &QLineEdit::textChanged, this, &QueueTab::showFilterStatus);
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_proxy, signal, this, &QueueTab::showFilterStatus);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &QueueTab::showFilterStatus);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &QueueTab::showFilterStatus);
    for (const QAbstractItemModel* model : std::initializer_list<const QAbstractItemModel*>{m_model, m_proxy}) {
        for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
            connect(model, signal, this, &QueueTab::showCriticalCount);
        connect(model, &QAbstractItemModel::layoutChanged, this, &QueueTab::showCriticalCount);
        connect(model, &QAbstractItemModel::modelReset, this, &QueueTab::showCriticalCount);
    }
    // Esc in the filter empties it, as in a browser's find bar.
    auto* clearFilter =
        new QShortcut(QKeySequence(Qt::Key_Escape), m_filter, m_filter, &QLineEdit::clear, Qt::WidgetShortcut);
    Q_UNUSED(clearFilter);
    connect(m_model, &RequestQueueModel::requestLeaving, this, &QueueTab::onLeaving);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &QueueTab::showCurrent);
    connect(m_model, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex& topLeft, const QModelIndex& bottomRight) {
                // The clock's ticks touch only the age and time-left columns.
                if (topLeft.column() == RequestQueueModel::Age && bottomRight.column() == RequestQueueModel::Age)
                    return;
                if (topLeft.column() == RequestQueueModel::TimeLeft)
                    m_detail->updateTimeLeft();
                else
                    showCurrent();
            });
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &QueueTab::showCurrent);
    // Something to look at as soon as the queue is not empty; an existing selection is kept.
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, [this] {
        if (!m_view->selectionModel()->currentIndex().isValid() && m_goneId.isEmpty())
            m_view->selectionModel()->setCurrentIndex(m_proxy->index(0, 0),
                                                      QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    });
    // Keyboard first: on the list, J/K move, A approves, D denies; "/" jumps to the filter.
    // Shortcuts live on the list only, so typing a reason never triggers them.
    auto onView = [this](QKeySequence keys, auto slot) {
        auto* shortcut = new QShortcut(keys, m_view, slot, Qt::WidgetShortcut);
        shortcut->setAutoRepeat(false);
    };
    onView(QKeySequence(Qt::Key_J), [this] { moveSelection(1); });
    onView(QKeySequence(Qt::Key_K), [this] { moveSelection(-1); });
    onView(QKeySequence(Qt::Key_A), [this] { decide(true); });
    onView(QKeySequence(Qt::Key_D), [this] { decide(false); });
    onView(QKeySequence(Qt::Key_Return), [this] { confirmArmed(); });
    onView(QKeySequence(Qt::Key_Enter), [this] { confirmArmed(); });
    onView(QKeySequence(Qt::Key_Escape), [this] { disarm(); });
    onView(QKeySequence(Qt::Key_R), [this] { m_detail->focusSecrets(); });
    onView(QKeySequence(Qt::Key_E), [this] { extend(); });
    onView(QKeySequence(Qt::Key_Question), [this] { Q_EMIT shortcutsRequested(); });
    onView(QKeySequence(Qt::SHIFT | Qt::Key_Question), [this] { Q_EMIT shortcutsRequested(); });
    auto* focusFilter = new QShortcut(QKeySequence(Qt::Key_Slash), this, m_filter, qOverload<>(&QWidget::setFocus),
                                      Qt::WidgetWithChildrenShortcut);
    Q_UNUSED(focusFilter);
    // Enter (or Ctrl+Enter) in the reason goes on with the decision that asked for it, and an
    // armed approval is confirmed or cancelled wherever the keyboard is in this tab: the
    // confirming A never lands in the reason as a letter.
    for (QWidget* control :
         std::initializer_list<QWidget*>{m_reason, m_approve, m_deny, m_bulkDeny, m_extend, m_detail})
        control->installEventFilter(this);
    connect(m_reason, &QLineEdit::textEdited, this, [this] {
        if (!m_armedId.isEmpty()) {
            m_armedId.clear(); // what was confirmed is the reason as it stood
            m_message->showInfo(tr("Not approved yet: the reason changed. Approve again to confirm."));
        }
    });
    connect(m_bulkDeny, &QPushButton::clicked, this, &QueueTab::denySelected);
    connect(m_approve, &QPushButton::clicked, this, [this] { decide(true); });
    connect(m_deny, &QPushButton::clicked, this, [this] { decide(false); });
    connect(m_detail, &RequestDetailView::fieldToggled, this, &QueueTab::toggleField);
    connect(m_extend, &QPushButton::clicked, this, &QueueTab::extend);
    if (m_proxy->rowCount() > 0)
        m_view->selectionModel()->setCurrentIndex(m_proxy->index(0, 0),
                                                  QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    showCurrent();
    showCriticalCount();
}

QString QueueTab::currentId() const
{
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    return current.isValid() ? current.data(RequestQueueModel::IdRole).toString() : QString();
}

QString QueueTab::actionableId() const
{
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    if (!current.isValid() || !m_view->selectionModel()->isRowSelected(current.row()))
        return {};
    const QString id = current.data(RequestQueueModel::IdRole).toString();
    return id == m_shownId ? id : QString();
}

QString QueueTab::neighbourAfter(const QStringList& leaving) const
{
    const int rows = m_proxy->rowCount();
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    if (!current.isValid())
        return {};
    auto idAt = [this](int row) {
        return m_proxy->index(row, 0).data(RequestQueueModel::IdRole).toString();
    };
    for (int row = current.row(); row < rows; ++row) {
        if (!leaving.contains(idAt(row)))
            return idAt(row);
    }
    for (int row = current.row() - 1; row >= 0; --row) {
        if (!leaving.contains(idAt(row)))
            return idAt(row);
    }
    return {};
}

void QueueTab::followWith(const QString& id)
{
    const int row = id.isEmpty() ? -1 : m_model->rowOf(id);
    if (row >= 0) {
        const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
        m_view->selectionModel()->setCurrentIndex(index,
                                                  QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_view->scrollTo(index);
    } else {
        m_view->selectionModel()->clear();
    }
    showCurrent();
    m_view->setFocus(Qt::OtherFocusReason);
}

void QueueTab::select(const QString& id)
{
    const int row = m_model->rowOf(id);
    if (row < 0)
        return;
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    m_view->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

void QueueTab::moveSelection(int delta)
{
    const int rows = m_proxy->rowCount();
    if (rows == 0)
        return;
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    const int row = current.isValid() ? std::clamp(current.row() + delta, 0, rows - 1) : 0;
    m_view->selectionModel()->setCurrentIndex(m_proxy->index(row, 0),
                                              QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

bool QueueTab::approvedBy(const approvals::Request& request, const QString& memberId)
{
    return std::ranges::any_of(request.decisions, [&](const approvals::Decision& decision) {
        return decision.approve && decision.memberId == memberId;
    });
}

void QueueTab::showFilterStatus()
{
    if (m_filter->text().trimmed().isEmpty()) {
        m_filterStatus->clear();
        return;
    }
    QStringList parts{tr("%1 of %2 shown").arg(m_proxy->rowCount()).arg(m_model->rowCount())};
    parts << m_proxy->problems();
    m_filterStatus->setText(parts.join(QStringLiteral("; ")));
}

void QueueTab::showCriticalCount()
{
    const int critical = static_cast<int>(policy::Risk::Critical);
    auto count = [critical](const QAbstractItemModel* model) {
        int found = 0;
        for (int row = 0; row < model->rowCount(); ++row)
            found += model->index(row, 0).data(RequestQueueModel::RiskRole).toInt() == critical ? 1 : 0;
        return found;
    };
    const int waiting = count(m_model);
    const int shown = count(m_proxy);
    m_criticalBanner->setVisible(waiting > 0);
    if (waiting == 0)
        return;
    QString text = tr("%n critical request(s) waiting", nullptr, waiting);
    if (shown < waiting)
        text += u' ' + tr("(%1 hidden by the filter)").arg(waiting - shown);
    m_criticalCount->setText(text);
    const RiskBadge::Colours colours = RiskBadge::colours(policy::Risk::Critical, palette());
    QPalette banner = m_criticalBanner->palette();
    banner.setColor(QPalette::Window, colours.fill);
    banner.setColor(QPalette::WindowText, colours.text);
    m_criticalBanner->setPalette(banner);
    const int mark = m_criticalCount->fontMetrics().height();
    m_criticalMark->setPixmap(RiskBadge::badgeMark(policy::Risk::Critical, palette(), mark, devicePixelRatioF()));
}

void QueueTab::changeEvent(QEvent* event)
{
    // The banner's colours follow the palette (light or dark) it is drawn against.
    if ((event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange) &&
        !m_criticalBanner->isHidden())
        showCriticalCount();
    QWidget::changeEvent(event);
}

void QueueTab::showCurrent()
{
    if (!m_armedId.isEmpty() && m_armedId != currentId())
        m_armedId.clear(); // a confirmation is for the request it was asked about
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    const approvals::Request* request =
        current.isValid() ? m_model->requestAt(m_proxy->mapToSource(current).row()) : nullptr;
    if (request)
        m_goneId.clear(); // the person moved on
    for (QPushButton* button : {m_approve, m_deny, m_extend})
        button->setEnabled(request != nullptr);
    m_bulkDeny->setEnabled(m_view->selectionModel()->hasSelection());
    const QString shownNow = request ? request->id : m_goneId;
    if (shownNow != m_shownId || !request)
        m_reason->clear(); // a reason is written for one request, and for one that can still be decided
    if (shownNow != m_shownId)
        m_message->clear(); // what was said was about the request shown before
    if (!request && !m_goneId.isEmpty()) {
        // What the person was looking at was decided elsewhere, expired or was cancelled:
        // say so and keep it on screen, with nothing left to press.
        auto gone = m_requests.request(m_goneId);
        if (gone) {
            m_detail->showRequest(*gone, m_revealedId == gone->id ? m_revealedFields : QStringList());
            m_extend->setToolTip(QString());
            m_message->showInfo(gone->state == approvals::RequestState::Expired
                                    ? tr("This request expired before it was decided.")
                                : gone->state == approvals::RequestState::Cancelled
                                    ? tr("The runtime cancelled this request.")
                                    : tr("This request was %1 elsewhere; there is nothing left to decide.")
                                          .arg(stateName(gone->state)));
            return;
        }
    }
    if (!request) {
        m_shownId.clear();
        m_revealedId.clear();
        m_detail->showNothing(tr("Select a request to see what it would do."));
        return;
    }
    // Core refuses both too; this says so up front.
    m_approve->setEnabled(!request->runtimeRevoked && !approvedBy(*request, m_memberId));
    if (request->id != m_shownId) {
        m_revealedId.clear(); // secrets stay revealed for one request only
        m_revealedFields.clear();
        m_shownId = request->id;
    }
    // Extend only while core says the deadline may still move, and say why not.
    const auto room = m_requests.extensionRoom(*request);
    const bool canExtend = room && room->roomMs > 0;
    m_extend->setEnabled(canExtend);
    m_extend->setToolTip(
        !room       ? QString()
        : canExtend ? tr("Push the deadline back by up to %1. Its policy lets it wait %2 in all. Recorded in the "
                         "audit chain.")
                          .arg(durationText(EXTEND_SECONDS), durationText(room->lifetimeMs / 1000))
                    : tr("This request has waited as long as its policy allows: %1 in all.")
                          .arg(durationText(room->lifetimeMs / 1000)));
    m_extend->setAccessibleDescription(m_extend->toolTip());
    const auto possible = m_requests.possibleApprovers(*request);
    m_detail->showRequest(*request, m_revealedId == request->id ? m_revealedFields : QStringList(),
                          possible ? *possible : -1);
}

void QueueTab::clearDecisionInput()
{
    m_reason->clear();
    m_armedId.clear();
    m_askedId.clear();
    clearSecrets(); // nothing revealed waits behind the lock screen for whoever unlocks next
}

bool QueueTab::eventFilter(QObject* watched, QEvent* event)
{
    if (event->type() != QEvent::KeyPress)
        return QWidget::eventFilter(watched, event);
    const auto* key = static_cast<QKeyEvent*>(event);
    const bool enter = key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter;
    const Qt::KeyboardModifiers modifiers = key->modifiers() & ~Qt::KeypadModifier;
    if (watched == m_reason && enter && (modifiers == Qt::NoModifier || modifiers == Qt::ControlModifier)) {
        submitReason();
        return true;
    }
    if (m_armedId.isEmpty() || modifiers != Qt::NoModifier)
        return QWidget::eventFilter(watched, event);
    if (key->key() == Qt::Key_A || enter) {
        confirmArmed();
        return true;
    }
    if (key->key() == Qt::Key_Escape) {
        disarm();
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

void QueueTab::submitReason()
{
    const QString id = actionableId();
    if (id.isEmpty())
        return;
    if (m_armedId == id) {
        confirmArmed();
    } else if (m_askedId == id) {
        decide(m_askedApprove);
    } else {
        m_message->showInfo(tr("With this reason: Alt+A approves, Alt+D denies."));
    }
}

void QueueTab::onLeaving(const QString& id)
{
    if (m_deciding || id != m_shownId)
        return;
    // Clear the selection before the row goes, so no neighbour slides under the keyboard.
    m_goneId = id;
    m_view->selectionModel()->clear();
    showCurrent();
}

void QueueTab::toggleField(const QString& field, bool reveal)
{
    const QString id = actionableId();
    if (id.isEmpty()) {
        showCurrent(); // the toggle goes back to what is true
        return;
    }
    if (m_revealedId != id) {
        m_revealedId = id;
        m_revealedFields.clear();
    }
    const QString name = field.mid(1);
    if (!reveal) {
        m_revealedFields.removeAll(field);
        m_message->showInfo(tr("Masked %1 again.").arg(name));
        showCurrent();
        return;
    }
    auto value = m_requests.revealField(m_memberId, id, field);
    if (!value) {
        m_message->showError(refusal(RequestAction::Reveal, value.error(), id));
        showCurrent();
        return;
    }
    m_revealedFields.append(field);
    m_message->showInfo(tr("Revealed %1; the reveal is recorded in the audit chain.").arg(name));
    showCurrent();
}

void QueueTab::clearSecrets()
{
    m_revealedId.clear();
    m_revealedFields.clear();
    showCurrent();
}

void QueueTab::extend()
{
    const QString id = actionableId();
    if (id.isEmpty())
        return;
    auto extended = m_requests.extend(m_memberId, id, EXTEND_SECONDS);
    if (!extended) {
        m_message->showError(refusal(RequestAction::Extend, extended.error(), id));
        showCurrent(); // at its limit now: Extend says so
        return;
    }
    m_message->showInfo(
        tr("The deadline is now %1, in %2.")
            .arg(QLocale().toString(QDateTime::fromMSecsSinceEpoch(extended->expiresAt).time(), QLocale::ShortFormat),
                 durationText((extended->expiresAt - QDateTime::currentMSecsSinceEpoch()) / 1000)));
}

void QueueTab::denySelected()
{
    QStringList ids;
    int critical = 0;
    bool needsReason = false;
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    for (const QModelIndex& row : rows) {
        const approvals::Request* request = m_model->requestAt(m_proxy->mapToSource(row).row());
        if (!request)
            continue;
        ids.append(request->id);
        critical += request->risk == policy::Risk::Critical ? 1 : 0;
        needsReason = needsReason || request->risk >= policy::Risk::High;
    }
    const QString reason = m_reason->text().trimmed();
    if (ids.isEmpty())
        return;
    if (needsReason && reason.isEmpty()) {
        m_message->showInfo(tr("The selection holds high or critical risk requests: give a reason."));
        m_reason->setFocus();
        return;
    }
    // Many decisions at once are asked about once, with what they hold; not blocking (no
    // exec()): requests keep arriving meanwhile, and locking closes the question.
    const int count = static_cast<int>(ids.size());
    const QString question =
        critical > 0
            ? tr("Deny %1, %2?").arg(tr("%n request(s)", nullptr, count), tr("%n of them critical", nullptr, critical))
            : tr("Deny %n request(s)?", nullptr, count);
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Deny requests"), question, QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("bulkDenyConfirm"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setTextFormat(Qt::PlainText);
    box->setInformativeText(reason.isEmpty() ? tr("No reason given.") : tr("Reason: %1").arg(reason));
    QPushButton* confirm = box->addButton(tr("Deny %n request(s)", nullptr, count), QMessageBox::DestructiveRole);
    confirm->setObjectName(QStringLiteral("bulkDenyConfirmButton"));
    box->setDefaultButton(QMessageBox::Cancel);
    box->setWindowModality(Qt::WindowModal);
    connect(box, &QMessageBox::buttonClicked, this, [this, confirm, ids, reason](QAbstractButton* clicked) {
        if (clicked == confirm)
            denyAll(ids, reason);
        else
            m_message->showInfo(tr("Nothing was denied."));
    });
    box->open();
}

void QueueTab::denyAll(const QStringList& ids, const QString& reason)
{
    const QString next = neighbourAfter(ids);
    m_deciding = true;
    const approvals::RequestService::BulkDenial outcome = m_requests.denyAll(m_memberId, ids, reason);
    m_deciding = false;
    m_reason->clear();
    followWith(next);
    const int denied = static_cast<int>(outcome.denied.size());
    QString told = outcome.criticalDenied > 0 ? tr("Denied %1, %2.")
                                                    .arg(tr("%n request(s)", nullptr, denied),
                                                         tr("%n of them critical", nullptr, outcome.criticalDenied))
                                              : tr("Denied %n request(s).", nullptr, denied);
    if (!outcome.refused.isEmpty()) {
        QStringList why;
        for (const auto& [id, error] : outcome.refused)
            why.append(refusal(RequestAction::Deny, error, id, reason));
        why.removeDuplicates();
        told += u' ' + tr("%n could not be denied: %1", nullptr, static_cast<int>(outcome.refused.size()))
                           .arg(why.join(QStringLiteral("; ")));
    }
    if (outcome.refused.isEmpty())
        m_message->showInfo(told);
    else
        m_message->showError(told);
}

void QueueTab::decide(bool approve)
{
    // Only what is selected and shown is decided: a row the keyboard merely rests on, or one
    // the detail pane does not show, never is.
    const QString id = actionableId();
    if (id.isEmpty()) {
        if (!currentId().isEmpty())
            m_message->showInfo(tr("Select the request you mean to decide first."));
        return;
    }
    const approvals::Request* request = m_model->requestAt(m_model->rowOf(id));
    if (approve && request && approvedBy(*request, m_memberId)) {
        // Said before any reason is asked for: there is nothing left for this person to add.
        m_message->showInfo(
            tr("You already approved this request: %1 of %n approval(s).", nullptr, request->requiredApprovals)
                .arg(request->approvalCount()));
        return;
    }
    const QString reason = m_reason->text().trimmed();
    const bool risky = request && request->risk >= policy::Risk::High;
    if (risky && reason.isEmpty()) {
        m_askedId = id;
        m_askedApprove = approve;
        m_message->showInfo(
            tr("A %1-risk request needs a reason: type it, then press Enter.").arg(policy::riskName(request->risk)));
        m_reason->setFocus();
        return;
    }
    m_askedId.clear();
    // Approving a high or critical risk request takes a second, deliberate keystroke or click.
    if (risky && approve && m_armedId != id) {
        m_armedId = id;
        m_message->showInfo(tr("Approve this %1-risk request? Press A or Enter again to confirm, Esc to cancel.")
                                .arg(policy::riskName(request->risk)));
        return;
    }
    m_armedId.clear();
    const QString next = neighbourAfter({id});
    m_deciding = true;
    auto decided = approve ? m_requests.approve(m_memberId, id, reason) : m_requests.deny(m_memberId, id, reason);
    m_deciding = false;
    if (!decided) {
        m_message->showError(
            refusal(approve ? RequestAction::Approve : RequestAction::Deny, decided.error(), id, reason));
        return;
    }
    m_reason->clear();
    // The decided request left (or, short of its quorum, stays): either way the person sees
    // what the next keystroke acts on, selected, with the keyboard on the queue.
    followWith(decided->state == approvals::RequestState::Pending ? id : next);
    if (!approve)
        m_message->showInfo(tr("Denied %1.").arg(decided->summary));
    else if (decided->state == approvals::RequestState::Pending)
        // Short of its quorum the request is not approved yet; only this person's part is done.
        m_message->showInfo(
            tr("Your approval is recorded: %1 of %2.").arg(decided->approvalCount()).arg(decided->requiredApprovals));
    else
        m_message->showInfo(tr("Approved %1.").arg(decided->summary));
}

QString QueueTab::refusal(RequestAction action, const Error& error, const QString& id, const QString& reason) const
{
    RefusalContext context;
    context.action = action;
    context.memberId = m_memberId;
    context.reason = reason;
    const auto now = m_requests.request(id);
    context.request = now ? &*now : nullptr;
    if (now) {
        if (const auto room = m_requests.extensionRoom(*now))
            context.lifetimeSeconds = room->lifetimeMs / 1000;
    }
    return refusalText(error, context);
}

void QueueTab::confirmArmed()
{
    if (!m_armedId.isEmpty() && m_armedId == actionableId())
        decide(true);
}

void QueueTab::disarm()
{
    if (m_armedId.isEmpty())
        return;
    m_armedId.clear();
    m_message->showInfo(tr("Not approved."));
}

void QueueTab::setRuntimeAddress(const QString& address)
{
    m_empty->setMessage(address.isEmpty()
                            ? tr("No requests waiting. The endpoint is not running, so runtimes cannot reach you.")
                            : tr("No requests waiting.\nRuntimes reach you at %1").arg(address));
}

} // namespace countersign::ui
