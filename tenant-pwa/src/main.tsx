import { render } from 'preact';

render(<h1>GestiQCloud</h1>, document.getElementById('app')!);
