#pragma once

#include <QAbstractSpinBox>
#include <QList>

namespace countersign::ui {

/// A span of time entered as people say it: "15 minutes", "2 hours", "3 days", never a count of
/// seconds. One spin box: the arrows step in the unit shown and switch units at its edges
/// (59 minutes, up, is 1 hour); typing "90 s", "2 h" or "3 days" works too, and a number alone
/// keeps the unit shown. It holds whole seconds within a range.
class DurationEdit final : public QAbstractSpinBox {
    Q_OBJECT
public:
    enum class Unit : qint64 { Seconds = 1, Minutes = 60, Hours = 3600, Days = 86400 };

    /// Offers \a units (smallest first), for spans from \a minSeconds to \a maxSeconds.
    DurationEdit(const QList<Unit>& units, qint64 minSeconds, qint64 maxSeconds, QWidget* parent = nullptr);

    [[nodiscard]] qint64 seconds() const { return m_seconds; }
    /// Shows \a seconds (kept within the range) in the largest unit that holds it exactly.
    void setSeconds(qint64 seconds);
    [[nodiscard]] Unit unit() const { return m_unit; }
    /// The text for \a seconds in \a unit: "15 minutes".
    [[nodiscard]] static QString describe(qint64 seconds, Unit unit);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    void stepBy(int steps) override;
    QValidator::State validate(QString& input, int& pos) const override;
    void fixup(QString& input) const override;

Q_SIGNALS:
    void secondsChanged(qint64 seconds);

protected:
    StepEnabled stepEnabled() const override;

private:
    /// What \a input means in seconds, and the unit it was typed in; nothing if it means nothing.
    [[nodiscard]] std::optional<std::pair<qint64, Unit>> parse(const QString& input) const;
    void show(qint64 seconds, Unit unit);
    void interpretText();

    QList<Unit> m_units;
    qint64 m_min;
    qint64 m_max;
    qint64 m_seconds = 0;
    Unit m_unit = Unit::Seconds;
};

} // namespace countersign::ui
