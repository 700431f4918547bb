#include "queue/requestdetailview.h"

#include "approvals/request.h"
#include "common/durationtext.h"
#include "common/requestdetail.h"
#include "common/riskbadge.h"

#include <QApplication>
#include <QDateTime>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

namespace countersign::ui {

namespace {

QLabel* fact(const QString& objectName, const QString& accessibleName, QWidget* parent)
{
    auto* label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setAccessibleName(accessibleName);
    label->setTextFormat(Qt::PlainText); // runtimes write summaries and names
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setWordWrap(true);
    return label;
}

/// The first SHORT_LINES lines and SHORT_CHARS characters of \a words.
QString shortened(const QString& words)
{
    QStringList lines = words.split(u'\n');
    QString kept = lines.mid(0, RequestDetailView::SHORT_LINES).join(u'\n');
    if (kept.size() > RequestDetailView::SHORT_CHARS)
        kept = kept.left(RequestDetailView::SHORT_CHARS);
    return kept;
}

} // namespace

RequestDetailView::RequestDetailView(QWidget* parent)
    : QWidget(parent)
    , m_header(new QWidget(this))
    , m_summary(fact(QStringLiteral("detailSummary"), tr("Summary"), m_header))
    , m_risk(new RiskBadge(m_header))
    , m_riskNote(fact(QStringLiteral("detailRiskNote"), tr("Risk raised by policy"), m_header))
    , m_runtime(fact(QStringLiteral("detailRuntime"), tr("Runtime"), m_header))
    , m_capability(fact(QStringLiteral("detailCapability"), tr("Capability"), m_header))
    , m_policy(fact(QStringLiteral("detailPolicy"), tr("Policy"), m_header))
    , m_approvals(fact(QStringLiteral("detailApprovals"), tr("Approvals"), m_header))
    , m_timeLeft(fact(QStringLiteral("detailTimeLeft"), tr("Time left"), m_header))
    , m_digest(fact(QStringLiteral("detailDigest"), tr("Payload digest"), m_header))
    , m_decisions(fact(QStringLiteral("detailDecisions"), tr("Decisions"), m_header))
    , m_payloadTitle(fact(QStringLiteral("detailPayloadTitle"), tr("Payload"), this))
    , m_payload(new QPlainTextEdit(this))
    , m_secrets(new QWidget(this))
    , m_runtimeBox(new QGroupBox(tr("Runtime says:"), this))
    , m_runtimeWords(new QPlainTextEdit(m_runtimeBox))
    , m_showAll(new QPushButton(tr("Show all"), m_runtimeBox))
{
    setObjectName(QStringLiteral("detailPane"));
    setAccessibleName(tr("Request details"));
    m_header->setObjectName(QStringLiteral("detailHeader"));
    QFont title = m_summary->font();
    title.setBold(true);
    title.setPointSizeF(title.pointSizeF() * 1.15);
    m_summary->setFont(title);
    m_risk->setObjectName(QStringLiteral("detailRisk"));
    m_risk->setAccessibleName(tr("Risk"));
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_digest->setFont(fixed);
    auto* facts = new QFormLayout;
    facts->setContentsMargins(0, 0, 0, 0);
    facts->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    auto* risk = new QHBoxLayout;
    risk->setContentsMargins(0, 0, 0, 0);
    risk->addWidget(m_risk, 0, Qt::AlignVCenter);
    risk->addWidget(m_riskNote, 1);
    facts->addRow(tr("Risk:"), risk);
    facts->addRow(tr("Runtime:"), m_runtime);
    facts->addRow(tr("Capability:"), m_capability);
    facts->addRow(tr("Policy:"), m_policy);
    facts->addRow(tr("Approvals:"), m_approvals);
    facts->addRow(tr("Time left:"), m_timeLeft);
    facts->addRow(tr("Digest:"), m_digest);
    auto* headerLayout = new QVBoxLayout(m_header);
    headerLayout->setContentsMargins(0, 0, 0, 0);
    headerLayout->addWidget(m_summary);
    headerLayout->addLayout(facts);
    headerLayout->addWidget(m_decisions);
    m_header->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);

    m_payload->setObjectName(QStringLiteral("detailPayload"));
    m_payload->setAccessibleName(tr("Payload: what will run"));
    m_payload->setReadOnly(true);
    m_payload->setFont(fixed);
    m_payload->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_payload->setMinimumHeight(QFontMetrics(fixed).lineSpacing() * 4);

    m_secrets->setObjectName(QStringLiteral("secretToggles"));
    m_secrets->setAccessibleName(tr("Masked fields"));
    new QHBoxLayout(m_secrets);
    m_secrets->layout()->setContentsMargins(0, 0, 0, 0);

    // The runtime's words: fenced, labelled, short unless asked, and always below the payload.
    m_runtimeBox->setObjectName(QStringLiteral("runtimeSays"));
    m_runtimeWords->setObjectName(QStringLiteral("runtimeDetails"));
    m_runtimeWords->setAccessibleName(tr("What the runtime says about this request"));
    m_runtimeWords->setReadOnly(true);
    m_runtimeWords->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_showAll->setObjectName(QStringLiteral("showAllDetails"));
    m_showAll->setAccessibleName(tr("Show all the runtime wrote"));
    auto* boxLayout = new QVBoxLayout(m_runtimeBox);
    boxLayout->addWidget(m_runtimeWords);
    boxLayout->addWidget(m_showAll, 0, Qt::AlignRight);
    connect(m_showAll, &QPushButton::clicked, this, [this] {
        m_allWords = !m_allWords;
        showRuntimeWords();
    });

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_header);
    layout->addWidget(m_payloadTitle);
    layout->addWidget(m_payload, 1);
    layout->addWidget(m_secrets);
    layout->addWidget(m_runtimeBox);
    showNothing(QString());
}

void RequestDetailView::showRequest(const approvals::Request& request, const QStringList& revealed,
                                    int possibleApprovers)
{
    if (request.id != m_shownId)
        m_allWords = false;
    m_shownId = request.id;
    m_header->show();
    m_payload->show();
    m_summary->setText(request.summary);
    // The policy's floor may have raised what the runtime declared: show both.
    m_risk->setRisk(request.risk);
    m_riskNote->setText(request.requestedRisk == request.risk
                            ? QString()
                            : tr("(the runtime declared %1; the policy's floor raised it)")
                                  .arg(policy::riskName(request.requestedRisk)));
    m_riskNote->setVisible(request.requestedRisk != request.risk);
    m_runtime->setText(request.runtimeRevoked
                           ? tr("%1 (revoked: its requests can be denied, not approved)").arg(request.runtimeName)
                           : request.runtimeName);
    m_capability->setText(request.capability);
    m_policy->setText(request.policyRule);
    QString approvals = tr("%1 of %2").arg(request.approvalCount()).arg(request.requiredApprovals);
    if (possibleApprovers >= 0 && request.requiredApprovals > possibleApprovers)
        approvals += u' ' + tr("(warning: only %n member(s) may approve, so this request can never be approved)",
                               nullptr, possibleApprovers);
    m_approvals->setText(approvals);
    // In groups of eight, so it wraps instead of widening the pane, and reads like a fingerprint.
    QStringList groups;
    for (qsizetype at = 0; at < request.payloadSha256.size(); at += 8)
        groups << request.payloadSha256.mid(at, 8);
    m_digest->setText(tr("SHA-256 %1").arg(groups.join(u' ')));
    m_digest->setToolTip(request.payloadSha256);
    QStringList decisions;
    for (const approvals::Decision& decision : request.decisions)
        decisions << tr("%1 by %2 at %3: %4")
                         .arg(decision.approve ? tr("Approved") : tr("Denied"), decision.memberName,
                              QLocale().toString(QDateTime::fromMSecsSinceEpoch(decision.decidedAt),
                                                 QLocale::ShortFormat),
                              decision.reason);
    m_decisions->setText(decisions.join(u'\n'));
    m_decisions->setVisible(!decisions.isEmpty());
    m_pending = request.state == approvals::RequestState::Pending;
    m_expiresAt = request.expiresAt;
    updateTimeLeft();
    const QStringList fields = secretFields(request);
    const auto secrets = static_cast<int>(fields.size());
    const auto shown =
        static_cast<int>(std::ranges::count_if(fields, [&](const QString& field) { return revealed.contains(field); }));
    m_payloadTitle->setText(
        secrets == 0 ? tr("Payload (what will run):")
        : shown > 0  ? tr("Payload (what will run; %1 of %n secret-looking field(s) revealed; each reveal was "
                           "recorded in the audit chain):",
                          nullptr, secrets)
                          .arg(shown)
                    : tr("Payload (what will run; %n secret-looking field(s) masked):", nullptr, secrets));
    showSecretToggles(fields, revealed);
    const QString payload = payloadText(request, revealed);
    if (m_payload->toPlainText() != payload)
        m_payload->setPlainText(payload); // unchanged text keeps its scroll position
    m_words = runtimeWords(request);
    showRuntimeWords();
}

void RequestDetailView::showNothing(const QString& text)
{
    m_shownId.clear();
    m_words.clear();
    m_pending = false;
    m_header->hide();
    m_payload->hide();
    showSecretToggles({}, {});
    m_runtimeBox->hide();
    m_payloadTitle->setText(text);
}

void RequestDetailView::showSecretToggles(const QStringList& fields, const QStringList& revealed)
{
    if (fields != m_secretFields) {
        // Another set of fields: new toggles (a focused one keeps the keyboard where it was).
        const bool hadFocus = m_secrets->isAncestorOf(QApplication::focusWidget());
        while (QLayoutItem* item = m_secrets->layout()->takeAt(0)) {
            if (QWidget* gone = item->widget()) {
                gone->hide();
                gone->setParent(nullptr);
                gone->deleteLater(); // it may be the toggle whose click led here
            }
            delete item;
        }
        m_secretFields = fields;
        if (!fields.isEmpty()) {
            auto* title = new QLabel(tr("Masked fields:"), m_secrets);
            m_secrets->layout()->addWidget(title);
        }
        for (const QString& field : fields) {
            auto* toggle = new QPushButton(m_secrets);
            toggle->setObjectName(QStringLiteral("reveal:") + field);
            toggle->setCheckable(true);
            toggle->setProperty("field", field);
            m_secrets->layout()->addWidget(toggle);
            connect(toggle, &QPushButton::clicked, this,
                    [this, field](bool checked) { Q_EMIT fieldToggled(field, checked); });
        }
        static_cast<QHBoxLayout*>(m_secrets->layout())->addStretch();
        if (hadFocus)
            focusSecrets();
    }
    for (auto* toggle : m_secrets->findChildren<QPushButton*>(Qt::FindDirectChildrenOnly)) {
        const QString field = toggle->property("field").toString();
        const bool on = revealed.contains(field);
        // A pointer reads as a path; the leading "/" says nothing to a person.
        const QString name = field.mid(1);
        toggle->setChecked(on);
        toggle->setText(on ? tr("Hide %1").arg(name) : tr("Reveal %1").arg(name));
        toggle->setAccessibleName(on ? tr("Hide %1 again").arg(name)
                                     : tr("Reveal %1 (recorded in the audit chain)").arg(name));
        toggle->setToolTip(on ? tr("Mask %1 again.").arg(name)
                              : tr("Show the value of %1. Every reveal is recorded in the audit chain.").arg(name));
    }
    m_secrets->setVisible(!fields.isEmpty());
}

bool RequestDetailView::focusSecrets()
{
    const auto toggles = m_secrets->findChildren<QPushButton*>(Qt::FindDirectChildrenOnly);
    if (toggles.isEmpty() || !m_secrets->isVisible())
        return false;
    toggles.first()->setFocus(Qt::ShortcutFocusReason);
    return true;
}

void RequestDetailView::updateTimeLeft()
{
    if (m_shownId.isEmpty())
        return;
    m_timeLeft->setText(m_pending ? durationText((m_expiresAt - QDateTime::currentMSecsSinceEpoch()) / 1000)
                                  : tr("not pending"));
}

void RequestDetailView::showRuntimeWords()
{
    m_runtimeBox->setVisible(!m_words.isEmpty());
    const QString brief = shortened(m_words);
    const bool cut = brief.size() < m_words.size();
    const QString text = m_allWords || !cut ? m_words : brief + QStringLiteral(" …");
    if (m_runtimeWords->toPlainText() != text)
        m_runtimeWords->setPlainText(text);
    // As tall as its lines, up to the cap: a short note leaves the room to the payload.
    const QFontMetrics metrics = m_runtimeWords->fontMetrics();
    const int width = std::max(200, m_runtimeWords->viewport()->width());
    int lines = 0;
    for (const QString& paragraph : text.split(u'\n'))
        lines += 1 + metrics.horizontalAdvance(paragraph) / width; // wrapped lines, near enough
    lines = std::clamp(lines, 1, SHORT_LINES + 1);
    m_runtimeWords->setFixedHeight(lines * metrics.lineSpacing() + 2 * m_runtimeWords->frameWidth() + 8);
    m_showAll->setVisible(cut);
    m_showAll->setText(m_allWords ? tr("Show less")
                                  : tr("Show all (%n characters)", nullptr, static_cast<int>(m_words.size())));
}

} // namespace countersign::ui
