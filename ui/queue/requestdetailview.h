#pragma once

#include <QWidget>

class QGroupBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace countersign::approvals {
struct Request;
}

namespace countersign::ui {

class RiskBadge;

/// What a request asks, in the order an approver needs it: a header the app draws from its own
/// records (summary, risk, runtime, capability, policy, approvals, time left, digest), then the
/// payload that will run, then what the runtime wrote about it in a fenced box labelled as the
/// runtime's words, blank lines collapsed and its length capped until "Show all". Nothing a
/// runtime writes lands in the header or pushes the payload out of sight. Never markup.
class RequestDetailView final : public QWidget {
    Q_OBJECT
public:
    explicit RequestDetailView(QWidget* parent = nullptr);

    /// Shows \a request; of its masked payload fields, those at \a revealed (JSON Pointers) in
    /// clear. \a possibleApprovers, when known (not negative), is how many members could ever
    /// approve it.
    void showRequest(const approvals::Request& request, const QStringList& revealed = {}, int possibleApprovers = -1);
    /// Gives the keyboard to the first masked field's Reveal/Hide toggle; false if none.
    bool focusSecrets();
    /// Shows no request, only \a text (what to do to see one).
    void showNothing(const QString& text);
    /// Re-reads the clock for the time left of the request shown.
    void updateTimeLeft();

    /// The runtime's words shown before "Show all": at most this many lines and characters.
    static constexpr int SHORT_LINES = 6;
    static constexpr int SHORT_CHARS = 600;

Q_SIGNALS:
    /// The person asked to see (\a reveal) or to mask again the payload field at \a field.
    void fieldToggled(const QString& field, bool reveal);

private:
    void showRuntimeWords();
    /// One Reveal/Hide toggle per masked field of the request shown.
    void showSecretToggles(const QStringList& fields, const QStringList& revealed);

    QWidget* m_header;
    QLabel* m_summary;
    RiskBadge* m_risk;
    QLabel* m_riskNote;
    QLabel* m_runtime;
    QLabel* m_capability;
    QLabel* m_policy;
    QLabel* m_approvals;
    QLabel* m_timeLeft;
    QLabel* m_digest;
    QLabel* m_decisions;
    QLabel* m_payloadTitle;
    QPlainTextEdit* m_payload;
    QWidget* m_secrets;         // the toggles, absent when nothing is masked
    QStringList m_secretFields; // what the toggles stand for
    QGroupBox* m_runtimeBox;
    QPlainTextEdit* m_runtimeWords;
    QPushButton* m_showAll;
    QString m_shownId;
    QString m_words; // the runtime's words, blank lines collapsed
    bool m_allWords = false;
    qint64 m_expiresAt = 0;
    bool m_pending = false;
};

} // namespace countersign::ui
