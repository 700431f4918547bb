#include "admin/policiestab.h"

#include "admin/policiesmodel.h"
#include "common/confirmation.h"
#include "common/durationedit.h"
#include "common/durationtext.h"
#include "common/emptystate.h"
#include "policy/policystore.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QVBoxLayout>

namespace countersign::ui {

namespace {

DurationEdit* durationEdit(const QString& objectName, const QString& accessibleName, int seconds, QWidget* parent)
{
    auto* edit = new DurationEdit(
        {DurationEdit::Unit::Seconds, DurationEdit::Unit::Minutes, DurationEdit::Unit::Hours, DurationEdit::Unit::Days},
        1, policy::PolicyRule::MAX_SECONDS, parent);
    edit->setObjectName(objectName);
    edit->setAccessibleName(accessibleName);
    edit->setSeconds(seconds);
    return edit;
}

bool waits(policy::PolicyRule::Outcome outcome)
{
    return PoliciesModel::waits(outcome);
}

bool hasValidity(policy::PolicyRule::Outcome outcome)
{
    return PoliciesModel::hasValidity(outcome);
}

} // namespace

PoliciesTab::PoliciesTab(policy::PolicyStore& policies, QString actor, QWidget* parent)
    : QWidget(parent)
    , m_policies(policies)
    , m_actor(std::move(actor))
    , m_model(new PoliciesModel(this))
    , m_table(new QTableView(this))
    , m_add(new QPushButton(tr("&Add rule…"), this))
    , m_edit(new QPushButton(tr("&Edit…"), this))
    , m_remove(new QPushButton(tr("&Remove"), this))
    , m_up(new QPushButton(tr("Move &up"), this))
    , m_down(new QPushButton(tr("Move do&wn"), this))
    , m_message(new QLabel(this))
    , m_empty(new EmptyState(m_table, QStringLiteral("policiesEmptyState"), m_model))
{
    setObjectName(QStringLiteral("policiesTab"));
    m_table->setModel(m_model);
    m_table->setObjectName(QStringLiteral("policiesView"));
    m_table->setAccessibleName(tr("Policy rules, first match wins"));
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(PoliciesModel::Capability, QHeaderView::Stretch);
    const std::pair<QPushButton*, QString> buttons[] = {{m_add, QStringLiteral("addRuleButton")},
                                                        {m_edit, QStringLiteral("editRuleButton")},
                                                        {m_remove, QStringLiteral("removeRuleButton")},
                                                        {m_up, QStringLiteral("moveRuleUpButton")},
                                                        {m_down, QStringLiteral("moveRuleDownButton")}};
    auto* row = new QHBoxLayout;
    for (const auto& [button, name] : buttons) {
        button->setObjectName(name);
        button->setAccessibleName(button->text().remove(u'&').remove(QStringLiteral("…")));
        row->addWidget(button);
    }
    row->addStretch();
    m_empty->setMessage(
        tr("No rules yet: every request needs one approval and waits %1.\n\nRules decide by capability and risk, the "
           "first that matches wins: allow routine requests without asking, deny some outright, or require more "
           "approvals. Add the first with \u201cAdd rule\u2026\u201d below.")
            .arg(durationText(policy::PolicyRule::DEFAULT_TIMEOUT_SECONDS)));
    m_message->setObjectName(QStringLiteral("policiesMessage"));
    m_message->setTextFormat(Qt::PlainText); // it shows what runtimes and members wrote
    m_message->setAccessibleName(tr("Policies message"));
    m_message->setWordWrap(true);
    auto* fallback = new QLabel(tr("When no rule matches, a request needs one approval and waits %1.")
                                    .arg(durationText(policy::PolicyRule::DEFAULT_TIMEOUT_SECONDS)),
                                this);
    fallback->setObjectName(QStringLiteral("policiesFallback"));
    fallback->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_table, 1);
    layout->addWidget(fallback);
    layout->addLayout(row);
    layout->addWidget(m_message);

    connect(m_add, &QPushButton::clicked, this, [this] { editRule(-1); });
    connect(m_edit, &QPushButton::clicked, this, [this] { editRule(m_table->currentIndex().row()); });
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex& index) { editRule(index.row()); });
    connect(m_remove, &QPushButton::clicked, this, &PoliciesTab::removeSelected);
    connect(m_up, &QPushButton::clicked, this, [this] { moveSelected(-1); });
    connect(m_down, &QPushButton::clicked, this, [this] { moveSelected(1); });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &PoliciesTab::updateButtons);
    reload();
}

void PoliciesTab::reload()
{
    auto rules = m_policies.rules();
    if (!rules) {
        m_message->setText(rules.error().message);
        return;
    }
    m_model->setRules(std::move(*rules));
    updateButtons();
}

void PoliciesTab::updateButtons()
{
    const int row = m_table->selectionModel()->hasSelection() ? m_table->currentIndex().row() : -1;
    m_edit->setEnabled(row >= 0);
    m_remove->setEnabled(row >= 0);
    m_up->setEnabled(row > 0);
    m_down->setEnabled(row >= 0 && row + 1 < m_model->rowCount());
}

void PoliciesTab::report(const Result<void>& outcome, const QString& success)
{
    m_message->setText(outcome ? success : outcome.error().message);
}

Result<void> PoliciesTab::save(const policy::PolicyRule& rule)
{
    COUNTERSIGN_TRY(policy::PolicyStore::validate(rule));
    if (rule.id == 0)
        COUNTERSIGN_TRY(m_policies.add(rule, m_actor));
    else
        COUNTERSIGN_TRY(m_policies.update(rule, m_actor));
    reload();
    report({}, tr("Saved rule %1.").arg(rule.describe()));
    return {};
}

void PoliciesTab::editRule(int row)
{
    const bool adding = row < 0 || row >= m_model->rowCount();
    const policy::PolicyRule original = adding ? policy::PolicyRule{} : m_model->rule(row);
    auto* dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("ruleDialog"));
    dialog->setWindowTitle(adding ? tr("Add a policy rule") : tr("Edit policy rule %1").arg(row + 1));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto* glob = new QLineEdit(original.capabilityGlob, dialog);
    glob->setObjectName(QStringLiteral("ruleGlobEdit"));
    glob->setAccessibleName(tr("Capability glob"));
    glob->setPlaceholderText(QStringLiteral("deploy.*"));
    auto* risk = new QComboBox(dialog);
    risk->setObjectName(QStringLiteral("ruleRiskBox"));
    risk->setAccessibleName(tr("Minimum risk"));
    risk->addItem(tr("any risk"));
    for (policy::Risk level : {policy::Risk::Low, policy::Risk::Medium, policy::Risk::High, policy::Risk::Critical})
        risk->addItem(tr("%1 or higher").arg(policy::riskName(level)), static_cast<int>(level));
    risk->setCurrentIndex(original.minimumRisk ? static_cast<int>(*original.minimumRisk) + 1 : 0);
    auto* floorBox = new QComboBox(dialog);
    floorBox->setObjectName(QStringLiteral("ruleFloorBox"));
    floorBox->setAccessibleName(tr("Risk floor"));
    floorBox->addItem(tr("as the runtime declares"));
    for (policy::Risk level : {policy::Risk::Low, policy::Risk::Medium, policy::Risk::High, policy::Risk::Critical})
        floorBox->addItem(tr("at least %1").arg(policy::riskName(level)), static_cast<int>(level));
    floorBox->setCurrentIndex(original.riskFloor ? static_cast<int>(*original.riskFloor) + 1 : 0);
    auto* outcome = new QComboBox(dialog);
    outcome->setObjectName(QStringLiteral("ruleOutcomeBox"));
    outcome->setAccessibleName(tr("Outcome"));
    outcome->addItem(tr("Require approvals"), static_cast<int>(policy::PolicyRule::Outcome::Require));
    outcome->addItem(tr("Allow without asking"), static_cast<int>(policy::PolicyRule::Outcome::Allow));
    outcome->addItem(tr("Deny"), static_cast<int>(policy::PolicyRule::Outcome::Deny));
    outcome->setCurrentIndex(outcome->findData(static_cast<int>(original.outcome)));
    auto* approvals = new QSpinBox(dialog);
    approvals->setObjectName(QStringLiteral("ruleApprovalsBox"));
    approvals->setAccessibleName(tr("Approvals required"));
    approvals->setRange(1, policy::PolicyRule::MAX_APPROVALS);
    approvals->setValue(original.approvals);
    auto* timeout = durationEdit(QStringLiteral("ruleTimeoutBox"), tr("Timeout"), original.timeoutSeconds, dialog);
    auto* validity =
        durationEdit(QStringLiteral("ruleValidityBox"), tr("Approval valid for"), original.validitySeconds, dialog);
    auto* timing = new QLabel(dialog);
    timing->setObjectName(QStringLiteral("ruleTimingHint"));
    timing->setWordWrap(true);
    auto* error = new QLabel(dialog);
    error->setObjectName(QStringLiteral("ruleError"));
    error->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, dialog);
    buttons->button(QDialogButtonBox::Save)->setObjectName(QStringLiteral("ruleSaveButton"));
    auto* form = new QFormLayout;
    form->addRow(tr("&Capability:"), glob);
    form->addRow(tr("&Risk:"), risk);
    form->addRow(tr("Risk &floor:"), floorBox);
    form->addRow(tr("&Outcome:"), outcome);
    form->addRow(tr("A&pprovals:"), approvals);
    form->addRow(tr("&Timeout:"), timeout);
    form->addRow(tr("Approval &valid for:"), validity);
    auto* layout = new QVBoxLayout(dialog);
    layout->addLayout(form);
    layout->addWidget(error);
    layout->addWidget(buttons);
    form->addRow(timing);
    // What does not apply to the chosen outcome is disabled, and the hint says why.
    auto applyOutcome = [outcome, approvals, timeout, validity, timing] {
        const auto chosen = static_cast<policy::PolicyRule::Outcome>(outcome->currentData().toInt());
        approvals->setEnabled(waits(chosen));
        timeout->setEnabled(waits(chosen));
        validity->setEnabled(hasValidity(chosen));
        switch (chosen) {
        case policy::PolicyRule::Outcome::Require:
            timing->setText(tr("A request waits this long for its approvals; once approved, the runtime has the "
                               "validity to use it."));
            break;
        case policy::PolicyRule::Outcome::Allow:
            timing->setText(tr("Allowed at once, nothing waits: only the validity applies, the time the runtime has "
                               "to use the approval."));
            break;
        case policy::PolicyRule::Outcome::Deny:
            timing->setText(tr("Denied at once: nothing waits and nothing is valid, so neither time applies."));
            break;
        }
    };
    connect(outcome, &QComboBox::currentIndexChanged, dialog, [dialog, applyOutcome] {
        applyOutcome();
        dialog->adjustSize(); // the hint's new words get the lines they need
    });
    applyOutcome();
    dialog->setMinimumWidth(dialog->fontMetrics().averageCharWidth() * 60);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, dialog,
            [this, dialog, original, glob, risk, floorBox, outcome, approvals, timeout, validity, error] {
                policy::PolicyRule rule = original;
                rule.capabilityGlob = glob->text().trimmed();
                rule.minimumRisk = risk->currentIndex() == 0
                                       ? std::nullopt
                                       : std::optional(static_cast<policy::Risk>(risk->currentData().toInt()));
                rule.riskFloor = floorBox->currentIndex() == 0
                                     ? std::nullopt
                                     : std::optional(static_cast<policy::Risk>(floorBox->currentData().toInt()));
                rule.outcome = static_cast<policy::PolicyRule::Outcome>(outcome->currentData().toInt());
                rule.approvals = approvals->value();
                rule.timeoutSeconds = static_cast<int>(timeout->seconds());
                rule.validitySeconds = static_cast<int>(validity->seconds());
                if (auto saved = save(rule); !saved) {
                    error->setText(saved.error().message);
                    glob->setFocus();
                    return;
                }
                dialog->accept();
            });
    dialog->open();
}

void PoliciesTab::removeSelected()
{
    const int row = m_table->currentIndex().row();
    if (row < 0 || row >= m_model->rowCount())
        return;
    const QString description = m_model->rule(row).describe();
    confirmDestructive(
        this,
        {QStringLiteral("removeRuleConfirm"), tr("Remove rule %1?").arg(row + 1),
         tr("Remove rule %1: %2? Requests it decided until now keep their outcome.").arg(row + 1).arg(description),
         tr("&Remove")},
        [this, row, description] {
            auto removed = m_policies.remove(row, m_actor);
            reload();
            report(removed, tr("Removed rule %1.").arg(description));
        });
}

void PoliciesTab::moveSelected(int delta)
{
    const int row = m_table->currentIndex().row();
    const int to = row + delta;
    if (row < 0 || to < 0 || to >= m_model->rowCount())
        return;
    auto moved = m_policies.move(row, to, m_actor);
    reload();
    if (moved)
        m_table->selectRow(to);
    report(moved, tr("Moved rule to position %1.").arg(to + 1));
}

} // namespace countersign::ui
