#include "common/durationedit.h"

#include <QLineEdit>
#include <QRegularExpression>
#include <QSignalBlocker>
#include <QStyle>
#include <QStyleOptionSpinBox>

namespace countersign::ui {

namespace {

qint64 sizeOf(DurationEdit::Unit unit)
{
    return static_cast<qint64>(unit);
}

/// The unit a typed word names: any prefix of its name ("m", "min", "minutes"), case aside.
std::optional<DurationEdit::Unit> unitNamed(const QString& word)
{
    static const std::pair<DurationEdit::Unit, const char*> NAMES[] = {{DurationEdit::Unit::Seconds, "seconds"},
                                                                       {DurationEdit::Unit::Minutes, "minutes"},
                                                                       {DurationEdit::Unit::Hours, "hours"},
                                                                       {DurationEdit::Unit::Days, "days"}};
    const QString lower = word.toLower();
    for (const auto& [unit, name] : NAMES) {
        const QString full = QString::fromLatin1(name);
        if (full.startsWith(lower) || (DurationEdit::tr(name).startsWith(lower)))
            return unit;
    }
    return std::nullopt;
}

} // namespace

DurationEdit::DurationEdit(const QList<Unit>& units, qint64 minSeconds, qint64 maxSeconds, QWidget* parent)
    : QAbstractSpinBox(parent)
    , m_min(std::max<qint64>(minSeconds, 1))
    , m_max(std::max(maxSeconds, m_min))
{
    // A unit too large for even one of it within the range is not offered.
    for (Unit unit : units) {
        if (m_max / sizeOf(unit) >= 1)
            m_units.append(unit);
    }
    if (m_units.isEmpty())
        m_units.append(Unit::Seconds);
    setAccelerated(true);
    setCorrectionMode(QAbstractSpinBox::CorrectToPreviousValue);
    connect(this, &QAbstractSpinBox::editingFinished, this, &DurationEdit::interpretText);
    setSeconds(m_min);
}

QString DurationEdit::describe(qint64 seconds, Unit unit)
{
    const int count = static_cast<int>(seconds / sizeOf(unit));
    switch (unit) {
    case Unit::Seconds:
        return tr("%n second(s)", nullptr, count);
    case Unit::Minutes:
        return tr("%n minute(s)", nullptr, count);
    case Unit::Hours:
        return tr("%n hour(s)", nullptr, count);
    case Unit::Days:
        return tr("%n day(s)", nullptr, count);
    }
    return {};
}

void DurationEdit::setSeconds(qint64 value)
{
    value = std::clamp(value, m_min, m_max);
    Unit chosen = m_units.first();
    for (Unit unit : std::as_const(m_units)) {
        if (value % sizeOf(unit) == 0)
            chosen = unit;
    }
    if (value % sizeOf(chosen) != 0) // no offered unit holds it exactly: the smallest, rounded
        value = std::clamp(value / sizeOf(chosen) * sizeOf(chosen), m_min, m_max);
    show(value, chosen);
}

void DurationEdit::show(qint64 value, Unit unit)
{
    const bool changed = value != m_seconds;
    m_seconds = value;
    m_unit = unit;
    lineEdit()->setText(describe(value, unit));
    if (changed)
        Q_EMIT secondsChanged(m_seconds);
}

void DurationEdit::stepBy(int steps)
{
    interpretText(); // a typed value counts before stepping from it
    const qsizetype at = m_units.indexOf(m_unit);
    qint64 count = m_seconds / sizeOf(m_unit) + steps;
    Unit unit = m_unit;
    // At the edge of a unit, the next one takes over: 60 minutes is 1 hour, 0 hours is 59 minutes.
    if (at + 1 < m_units.size() && count * sizeOf(unit) >= sizeOf(m_units.at(at + 1)) &&
        (count * sizeOf(unit)) % sizeOf(m_units.at(at + 1)) == 0) {
        unit = m_units.at(at + 1);
        count = count * sizeOf(m_unit) / sizeOf(unit);
    } else if (count < 1 && at > 0) {
        unit = m_units.at(at - 1);
        count = sizeOf(m_unit) / sizeOf(unit) + count - 1; // 1 hour, down: 59 minutes
    }
    const qint64 value = std::clamp(count * sizeOf(unit), m_min, m_max);
    if (value % sizeOf(unit) != 0)
        setSeconds(value);
    else
        show(value, unit);
    selectAll();
}

QAbstractSpinBox::StepEnabled DurationEdit::stepEnabled() const
{
    StepEnabled enabled = StepNone;
    if (m_seconds < m_max)
        enabled |= StepUpEnabled;
    if (m_seconds > m_min)
        enabled |= StepDownEnabled;
    return enabled;
}

std::optional<std::pair<qint64, DurationEdit::Unit>> DurationEdit::parse(const QString& input) const
{
    static const QRegularExpression form(QStringLiteral(R"(^\s*(\d{1,9})\s*([^\d\s]*)\s*$)"));
    const QRegularExpressionMatch match = form.match(input);
    if (!match.hasMatch())
        return std::nullopt;
    const qint64 count = match.captured(1).toLongLong();
    const QString word = match.captured(2);
    const std::optional<Unit> unit = word.isEmpty() ? std::optional(m_unit) : unitNamed(word);
    if (!unit || !m_units.contains(*unit))
        return std::nullopt;
    return std::pair(count * sizeOf(*unit), *unit);
}

QValidator::State DurationEdit::validate(QString& input, int& pos) const
{
    Q_UNUSED(pos)
    const auto parsed = parse(input);
    if (parsed && parsed->first >= m_min && parsed->first <= m_max)
        return QValidator::Acceptable;
    // Typing passes through what is not yet a duration: "1", "1 h", "12 mi".
    static const QRegularExpression partial(QStringLiteral(R"(^\s*\d{0,9}\s*[^\d\s]*\s*$)"));
    return partial.match(input).hasMatch() ? QValidator::Intermediate : QValidator::Invalid;
}

void DurationEdit::fixup(QString& input) const
{
    input = describe(m_seconds, m_unit);
}

void DurationEdit::interpretText()
{
    const auto parsed = parse(lineEdit()->text());
    if (!parsed || parsed->first < m_min || parsed->first > m_max) {
        lineEdit()->setText(describe(m_seconds, m_unit));
        return;
    }
    show(parsed->first, parsed->second);
}

QSize DurationEdit::sizeHint() const
{
    ensurePolished();
    const QFontMetrics metrics = fontMetrics();
    int width = 0;
    for (Unit unit : std::as_const(m_units))
        width = std::max(width, metrics.horizontalAdvance(describe(sizeOf(unit) * 59, unit)));
    QStyleOptionSpinBox option;
    initStyleOption(&option);
    const QSize content(width + 4, QLineEdit().sizeHint().height());
    return style()->sizeFromContents(QStyle::CT_SpinBox, &option, content, this);
}

QSize DurationEdit::minimumSizeHint() const
{
    return sizeHint();
}

} // namespace countersign::ui
