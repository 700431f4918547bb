#include "history/historytab.h"

#include "common/requestdetail.h"
#include "history/historymodel.h"

#include <QFontDatabase>
#include <QHeaderView>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace countersign::ui {

HistoryTab::HistoryTab(approvals::RequestService& requests, approvals::RequestEvents& events, const QString& memberId,
                       QWidget* parent)
    : QWidget(parent)
    , m_model(new HistoryModel(requests, events, memberId, this))
    , m_search(new QLineEdit(this))
    , m_view(new QTableView(this))
    , m_detail(new QPlainTextEdit(this))
{
    setObjectName(QStringLiteral("historyTab"));
    m_search->setObjectName(QStringLiteral("historySearch"));
    m_search->setAccessibleName(tr("Search history"));
    m_search->setPlaceholderText(tr("Search by id, runtime, capability, summary or reason"));
    m_search->setClearButtonEnabled(true);
    m_view->setObjectName(QStringLiteral("historyView"));
    m_view->setAccessibleName(tr("Past requests"));
    // Sortable by any column; newest first until the person picks another order.
    auto* sorted = new QSortFilterProxyModel(this);
    sorted->setSourceModel(m_model);
    sorted->setSortRole(HistoryModel::SortRole);
    m_sorted = sorted;
    m_view->setModel(sorted);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(HistoryModel::When, Qt::DescendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->verticalHeader()->hide();
    m_view->setWordWrap(false);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setColumnWidth(HistoryModel::When, 130);
    m_view->setColumnWidth(HistoryModel::Summary, 220);
    m_detail->setObjectName(QStringLiteral("historyDetail"));
    m_detail->setAccessibleName(tr("Request record"));
    m_detail->setReadOnly(true);
    m_detail->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_view);
    splitter->addWidget(m_detail);
    splitter->setSizes({320, 180});
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_search);
    layout->addWidget(splitter, 1);

    // Searching runs a query: wait for a pause in typing.
    auto* debounce = new QTimer(this);
    debounce->setSingleShot(true);
    debounce->setInterval(200);
    connect(m_search, &QLineEdit::textChanged, debounce, qOverload<>(&QTimer::start));
    connect(debounce, &QTimer::timeout, this, [this] { m_model->setSearch(m_search->text()); });
    connect(m_search, &QLineEdit::returnPressed, this, [this, debounce] {
        debounce->stop();
        m_model->setSearch(m_search->text());
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &HistoryTab::showCurrent);
    connect(m_model, &QAbstractItemModel::modelReset, this, &HistoryTab::showCurrent);
    auto* focusSearch = new QShortcut(QKeySequence(Qt::Key_Slash), this, m_search, qOverload<>(&QWidget::setFocus),
                                      Qt::WidgetWithChildrenShortcut);
    Q_UNUSED(focusSearch);
    showCurrent();
}

void HistoryTab::showCurrent()
{
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    const approvals::Request* request =
        current.isValid() ? m_model->requestAt(m_sorted->mapToSource(current).row()) : nullptr;
    if (request)
        m_detail->setPlainText(describeRequest(*request));
    else if (const Result<void>& loaded = m_model->lastLoad(); !loaded)
        m_detail->setPlainText(loaded.error().message);
    else
        m_detail->setPlainText(m_model->rowCount() == 0 ? tr("Nothing decided yet matches.")
                                                        : tr("Select a request to see its record."));
}

bool HistoryTab::select(const QString& id)
{
    auto rowOf = [this, &id] {
        for (int row = 0; row < m_sorted->rowCount(); ++row) {
            const QModelIndex index = m_sorted->index(row, 0);
            if (index.data(HistoryModel::IdRole).toString() == id)
                return index;
        }
        return QModelIndex();
    };
    QModelIndex found = rowOf();
    if (!found.isValid()) {
        m_search->setText(id); // what is shown says why the other rows went
        m_model->setSearch(id);
        found = rowOf();
    }
    if (!found.isValid())
        return false;
    m_view->selectionModel()->setCurrentIndex(found, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_view->scrollTo(found);
    return true;
}

} // namespace countersign::ui
