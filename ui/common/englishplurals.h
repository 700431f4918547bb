#pragma once

#include <QTranslator>

namespace countersign::ui {

/// English numerus forms for texts written as "%n request(s)": one request, 2 requests ("%n
/// entry(s)": one entry, 2 entries). Qt picks
/// plural forms from a translation; without one, people would read "1 request(s)". Installed by
/// the application before any window is shown; texts without a count pass through unchanged.
class EnglishPlurals final : public QTranslator {
    Q_OBJECT
public:
    using QTranslator::QTranslator;

    QString translate(const char* context, const char* sourceText, const char* disambiguation = nullptr,
                      int n = -1) const override;
    bool isEmpty() const override { return false; }
};

} // namespace countersign::ui
