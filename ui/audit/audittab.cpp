#include "audit/audittab.h"

#include "application/auditservice.h"
#include "audit/auditlog.h"
#include "audit/auditlogmodel.h"
#include "audit/auditnames.h"
#include "vault/vault.h"

#include <QCheckBox>
#include <QDateTimeEdit>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollBar>
#include <QShortcut>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace countersign::ui {

namespace {

std::atomic<int> jobCounter{0};

QLineEdit* filterEdit(const QString& name, const QString& label, QWidget* parent)
{
    auto* edit = new QLineEdit(parent);
    edit->setObjectName(name);
    edit->setAccessibleName(label);
    edit->setPlaceholderText(label);
    edit->setClearButtonEnabled(true);
    return edit;
}

} // namespace

AuditTab::AuditTab(const vault::Vault& vault, std::unique_ptr<AuditNames> names, QWidget* parent)
    : QWidget(parent)
    , m_vault(vault)
    , m_names(std::move(names))
    , m_model(new AuditLogModel(vault.database(), m_names.get(), this))
    , m_actor(filterEdit(QStringLiteral("auditActorFilter"), tr("Actor"), this))
    , m_action(filterEdit(QStringLiteral("auditActionFilter"), tr("Action"), this))
    , m_subject(filterEdit(QStringLiteral("auditSubjectFilter"), tr("Subject contains"), this))
    , m_limitTime(new QCheckBox(tr("&Between"), this))
    , m_from(new QDateTimeEdit(QDateTime::currentDateTimeUtc().addDays(-1), this))
    , m_to(new QDateTimeEdit(QDateTime::currentDateTimeUtc().addSecs(3600), this))
    , m_view(new QTableView(this))
    , m_detail(new QPlainTextEdit(this))
    , m_verify(new QPushButton(tr("Verif&y chain"), this))
    , m_export(new QPushButton(tr("E&xport…"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_progress(new QProgressBar(this))
    , m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("auditTab"));
    m_limitTime->setObjectName(QStringLiteral("auditLimitTime"));
    for (QDateTimeEdit* edit : {m_from, m_to}) {
        edit->setTimeSpec(Qt::UTC);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
        edit->setCalendarPopup(true);
        edit->setEnabled(false);
    }
    m_from->setObjectName(QStringLiteral("auditFrom"));
    m_from->setAccessibleName(tr("From (UTC)"));
    m_to->setObjectName(QStringLiteral("auditTo"));
    m_to->setAccessibleName(tr("To (UTC)"));
    m_view->setObjectName(QStringLiteral("auditView"));
    m_view->setAccessibleName(tr("Audit entries"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    // Fixed row heights and widths: nothing is measured per row, at any size.
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_view->horizontalHeader()->setStretchLastSection(true);
    // Only the rows on screen are measured: the chain may hold millions.
    m_view->horizontalHeader()->setResizeContentsPrecision(0);
    m_view->setMouseTracking(true); // the hand over a request's link
    m_detail->setObjectName(QStringLiteral("auditDetail"));
    m_detail->setAccessibleName(tr("Audit entry"));
    m_detail->setReadOnly(true);
    m_detail->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_verify->setObjectName(QStringLiteral("auditVerifyButton"));
    m_export->setObjectName(QStringLiteral("auditExportButton"));
    m_cancel->setObjectName(QStringLiteral("auditCancelButton"));
    m_progress->setObjectName(QStringLiteral("auditProgress"));
    m_status->setObjectName(QStringLiteral("auditStatus"));
    m_status->setTextFormat(Qt::PlainText); // it shows what runtimes and members wrote
    m_status->setAccessibleName(tr("Audit status"));
    m_status->setWordWrap(true);
    m_cancel->hide();
    m_progress->hide();

    auto* filters = new QHBoxLayout;
    filters->addWidget(m_actor);
    filters->addWidget(m_action);
    filters->addWidget(m_subject, 1);
    filters->addWidget(m_limitTime);
    filters->addWidget(m_from);
    filters->addWidget(new QLabel(tr("and"), this));
    filters->addWidget(m_to);
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_view);
    splitter->addWidget(m_detail);
    splitter->setSizes({380, 160});
    auto* actions = new QHBoxLayout;
    actions->addWidget(m_verify);
    actions->addWidget(m_export);
    actions->addWidget(m_progress, 1);
    actions->addWidget(m_cancel);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(splitter, 1);
    layout->addLayout(actions);
    layout->addWidget(m_status);

    auto* debounce = new QTimer(this);
    debounce->setSingleShot(true);
    debounce->setInterval(250);
    connect(debounce, &QTimer::timeout, this, &AuditTab::applyFilter);
    for (QLineEdit* edit : {m_actor, m_action, m_subject})
        connect(edit, &QLineEdit::textChanged, debounce, qOverload<>(&QTimer::start));
    connect(m_from, &QDateTimeEdit::dateTimeChanged, debounce, qOverload<>(&QTimer::start));
    connect(m_to, &QDateTimeEdit::dateTimeChanged, debounce, qOverload<>(&QTimer::start));
    connect(m_limitTime, &QCheckBox::toggled, this, [this](bool on) {
        m_from->setEnabled(on);
        m_to->setEnabled(on);
        applyFilter();
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &AuditTab::showCurrent);
    connect(
        m_model, &QAbstractItemModel::modelReset, this, [this] { fitColumns(); }, Qt::QueuedConnection);
    auto* refit = new QTimer(this);
    refit->setSingleShot(true);
    refit->setInterval(100);
    connect(refit, &QTimer::timeout, this, [this] { fitColumns(true); });
    connect(m_view->verticalScrollBar(), &QScrollBar::valueChanged, refit, qOverload<>(&QTimer::start));
    connect(m_view->horizontalHeader(), &QHeaderView::sectionResized, this, [this](int column) {
        if (!m_fitting)
            m_resizedByHand.insert(column);
    });
    connect(m_view, &QTableView::clicked, this, [this](const QModelIndex& index) {
        if (index.column() == AuditLogModel::Subject)
            activate(index);
    });
    connect(m_view, &QTableView::doubleClicked, this, &AuditTab::activate);
    for (const QKeySequence& keys : {QKeySequence(Qt::Key_Return), QKeySequence(Qt::Key_Enter)}) {
        auto* open = new QShortcut(keys, m_view, nullptr, nullptr, Qt::WidgetShortcut);
        connect(open, &QShortcut::activated, this, [this] { activate(m_view->currentIndex()); });
    }
    connect(m_view, &QTableView::entered, this, [this](const QModelIndex& index) {
        const bool link =
            index.column() == AuditLogModel::Subject && index.data(AuditLogModel::RequestIdRole).isValid();
        m_view->viewport()->setCursor(link ? Qt::PointingHandCursor : Qt::ArrowCursor);
    });
    connect(m_verify, &QPushButton::clicked, this, &AuditTab::verify);
    connect(m_export, &QPushButton::clicked, this, &AuditTab::chooseExportFile);
    connect(m_cancel, &QPushButton::clicked, this, [this] { m_cancelRequested = true; });
    m_status->setText(tr("%Ln entry(s).", nullptr, m_model->rowCount()));
    QTimer::singleShot(0, this, [this] { fitColumns(); });
}

void AuditTab::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    QTimer::singleShot(0, this, [this] { fitColumns(); }); // once the view has its width
}

void AuditTab::fitColumns(bool growOnly)
{
    QHeaderView* header = m_view->horizontalHeader();
    const int widest = std::max(header->fontMetrics().averageCharWidth() * 12, m_view->viewport()->width() / 3);
    m_fitting = true;
    for (int column = 0; column + 1 < m_model->columnCount(); ++column) {
        if (m_resizedByHand.contains(column))
            continue;
        // QTableView's override is protected; the base class's public one dispatches to it.
        const int content = std::max(static_cast<const QAbstractItemView*>(m_view)->sizeHintForColumn(column),
                                     header->sectionSizeHint(column));
        const int width = std::min(content, widest);
        if (!growOnly || width > m_view->columnWidth(column))
            m_view->setColumnWidth(column, width);
    }
    m_fitting = false;
}

void AuditTab::activate(const QModelIndex& index)
{
    if (!index.isValid())
        return;
    const QString id =
        m_model->index(index.row(), AuditLogModel::Subject).data(AuditLogModel::RequestIdRole).toString();
    if (!id.isEmpty())
        Q_EMIT requestActivated(id);
}

AuditTab::~AuditTab()
{
    if (m_job) {
        m_cancelRequested = true;
        m_job->wait();
        delete m_job;
    }
}

void AuditTab::follow(qint64 headSeq)
{
    if (m_job)
        return; // a verification or export reads the chain meanwhile; the next look catches up
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    const auto selected = current.isValid() ? m_model->entryAt(current.row()) : std::nullopt;
    m_model->follow(headSeq);
    if (selected && !m_view->selectionModel()->currentIndex().isValid()) {
        const int row = m_model->rowOfSeq(selected->seq);
        if (row >= 0)
            m_view->selectRow(row);
    }
    m_status->setText(m_model->lastLoad()
                          ? (m_model->isFiltered() ? tr("%Ln matching entry(s).", nullptr, m_model->rowCount())
                                                   : tr("%Ln entry(s).", nullptr, m_model->rowCount()))
                          : m_model->lastLoad().error().message);
}

void AuditTab::applyFilter()
{
    const QString actor = m_actor->text().trimmed();
    AuditLogModel::Filter filter{actor,
                                 m_names ? m_names->membersNamed(actor) : QStringList(),
                                 m_action->text().trimmed(),
                                 m_subject->text().trimmed(),
                                 m_limitTime->isChecked() ? m_from->dateTime() : QDateTime(),
                                 m_limitTime->isChecked() ? m_to->dateTime() : QDateTime()};
    m_model->setFilter(filter);
    m_status->setText(m_model->lastLoad() ? tr("%Ln matching entry(s).", nullptr, m_model->rowCount())
                                          : m_model->lastLoad().error().message);
    showCurrent();
}

void AuditTab::showCurrent()
{
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    const auto entry = current.isValid() ? m_model->entryAt(current.row()) : std::nullopt;
    if (!entry) {
        m_detail->setPlainText(tr("Select an entry to see all of it."));
        return;
    }
    const QJsonDocument details = QJsonDocument::fromJson(entry->details);
    const auto named = [this](const QString& reference) {
        const QString name = m_names ? m_names->name(reference).text : reference;
        return name == reference ? reference : tr("%1 (%2)").arg(name, reference);
    };
    m_detail->setPlainText(
        tr("Entry %1 at %2\nActor: %3\nAction: %4\nSubject: %5\nDetails:\n%6\nPrevious hash: %7\nEntry hash:    %8\n"
           "MAC:           %9")
            .arg(entry->seq)
            .arg(QDateTime::fromMSecsSinceEpoch(entry->timestampMs, Qt::UTC).toString(Qt::ISODateWithMs),
                 named(entry->actor), entry->action, named(entry->subject),
                 details.isObject() ? QString::fromUtf8(details.toJson(QJsonDocument::Indented))
                                    : QString::fromUtf8(entry->details),
                 QString::fromLatin1(entry->prevHash.toHex()), QString::fromLatin1(entry->entryHash.toHex()),
                 QString::fromLatin1(entry->mac.toHex())));
}

void AuditTab::run(const QString& what, Job job)
{
    if (m_job)
        return;
    m_cancelRequested = false;
    m_verify->setEnabled(false);
    m_export->setEnabled(false);
    m_cancel->show();
    m_progress->show();
    m_progress->setRange(0, std::max(1, m_model->rowCount()));
    m_progress->setValue(0);
    m_status->setText(what);
    QPointer<AuditTab> self(this);
    m_job = QThread::create([this, self, job = std::move(job)] {
        qint64 brokenSeq = -1;
        const Result<QString> outcome = job(
            m_cancelRequested,
            [self](qint64 done) {
                QMetaObject::invokeMethod(
                    self,
                    [self, done] {
                        if (self)
                            self->m_progress->setValue(
                                static_cast<int>(std::min<qint64>(done, self->m_progress->maximum())));
                    },
                    Qt::QueuedConnection);
            },
            brokenSeq);
        QMetaObject::invokeMethod(
            self,
            [self, outcome, brokenSeq] {
                if (!self)
                    return;
                self->m_job->wait();
                self->m_job->deleteLater();
                self->m_job = nullptr;
                self->m_verify->setEnabled(true);
                self->m_export->setEnabled(true);
                self->m_cancel->hide();
                self->m_progress->hide();
                const QString said = outcome ? *outcome : outcome.error().message;
                self->m_status->setText(said);
                if (brokenSeq > 0) {
                    self->m_model->reload();
                    const int row = self->m_model->rowOfSeq(brokenSeq);
                    if (row >= 0) {
                        self->m_view->selectRow(row);
                        self->m_view->scrollTo(self->m_model->index(row, 0), QAbstractItemView::PositionAtCenter);
                    }
                }
                Q_EMIT self->jobFinished(outcome.has_value(), said);
            },
            Qt::QueuedConnection);
    });
    m_job->start();
}

void AuditTab::verify()
{
    const vault::Vault& vault = m_vault;
    run(tr("Verifying the chain and the checkpoint file…"),
        [&vault](const std::atomic<bool>& cancel, const std::function<void(qint64)>& progress,
                 qint64& brokenSeq) -> Result<QString> {
            auto service = application::AuditService::open(vault, QStringLiteral("audit-job-%1").arg(++jobCounter));
            COUNTERSIGN_TRY(service);
            auto verified = (*service)->verifyVault([&](qint64 done) {
                progress(done);
                return !cancel.load();
            });
            COUNTERSIGN_TRY(verified);
            const audit::VerifyResult& result = verified->chain;
            if (result.ok())
                return tr("%1 verified: every hash, MAC and link holds, and the chain agrees with %2.")
                    .arg(tr("%Ln entry(s)", nullptr, static_cast<int>(result.checked)),
                         tr("%n signed checkpoint(s)", nullptr, static_cast<int>(verified->checkpoints)));
            if (result.problem == audit::VerifyResult::Problem::Cancelled)
                return fail(ErrorCode::Unavailable, tr("Verification cancelled after %Ln entry(s).", nullptr,
                                                       static_cast<int>(result.checked)));
            brokenSeq = result.brokenSeq;
            return fail(ErrorCode::Integrity,
                        tr("Broken at entry %1 (%2): %3")
                            .arg(result.brokenSeq)
                            .arg(audit::VerifyResult::problemName(result.problem), result.message));
        });
}

void AuditTab::chooseExportFile()
{
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export the audit chain"), QStringLiteral("countersign-audit.jsonl"),
                                     tr("JSON Lines (*.jsonl);;All files (*)"));
    if (!path.isEmpty())
        exportTo(path);
}

void AuditTab::exportTo(const QString& path)
{
    const vault::Vault& vault = m_vault;
    run(tr("Exporting to %1…").arg(path),
        [&vault, path](const std::atomic<bool>& cancel, const std::function<void(qint64)>& progress,
                       qint64&) -> Result<QString> {
            auto service = application::AuditService::open(vault, QStringLiteral("audit-job-%1").arg(++jobCounter));
            COUNTERSIGN_TRY(service);
            auto exported = (*service)->exportTo(path, [&](qint64 done) {
                progress(done);
                return !cancel.load();
            });
            COUNTERSIGN_TRY(exported);
            return tr("Exported %1 and %2 to %3.")
                .arg(tr("%Ln entry(s)", nullptr, static_cast<int>(exported->entries)),
                     tr("%n checkpoint(s)", nullptr, static_cast<int>(exported->checkpoints)), path);
        });
}

} // namespace countersign::ui
