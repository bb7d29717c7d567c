import { initAll } from '../govuk/govuk-frontend.min.js'

// The inline snippet in base.html sets these classes first; set them here too so
// that the components still start if a Content Security Policy blocked it.
document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()
