#pragma once

#include <QLabel>

namespace countersign::ui {

/// A line of plain text telling the person what happened. An error reads as one without relying
/// on colour: a warning icon before the text, and its accessible description says "Error"; its
/// colour is a red with at least 4.5:1 contrast on the window (WCAG 2.1 SC 1.4.3) in either
/// palette, recomputed when the palette changes.
class MessageLabel final : public QLabel {
    Q_OBJECT
public:
    enum class Tone { Info, Error };

    explicit MessageLabel(QWidget* parent = nullptr);

    [[nodiscard]] Tone tone() const { return m_tone; }
    /// The tone of what follows; for labels that only ever hold errors, set once.
    void setTone(Tone tone);
    void showInfo(const QString& text);
    void showError(const QString& text);

protected:
    void changeEvent(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;

private:
    void applyTone();

    Tone m_tone = Tone::Info;
    bool m_applying = false;
};

} // namespace countersign::ui
